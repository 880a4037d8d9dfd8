/**
 * What differs between the databases Waymark runs on, declared once. Domain code asks these
 * flags and builders; it never checks which database it is talking to.
 */
import type { ColumnDataType, ColumnDefinitionBuilder, Dialect } from "kysely";

export interface StoreDialect {
  /** For logs and `waymark --version`; not for branching. */
  readonly name: "sqlite" | "postgres";
  /** The Kysely dialect that connects. */
  createKyselyDialect(): Dialect;
  /** Column type for JSON documents (`text` on SQLite, `jsonb` on PostgreSQL). */
  readonly jsonType: ColumnDataType;
  /** Column type for an auto-incrementing 64-bit primary key, and what its definition needs. */
  readonly serialType: ColumnDataType;
  serialPrimaryKey(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  /** Whether several processes may claim work at once (`FOR UPDATE SKIP LOCKED`). */
  readonly supportsSkipLocked: boolean;
}
