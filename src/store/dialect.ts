/**
 * What differs between the databases Waymark runs on, declared once. Domain code asks these
 * flags and builders; it never checks which database it is talking to.
 */
import type {
  ColumnDataType,
  ColumnDefinitionBuilder,
  CreateTableBuilder,
  Dialect,
  Expression,
  RawBuilder,
  SqlBool,
} from "kysely";

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

  /**
   * Stores a table in its primary key's order (SQLite's WITHOUT ROWID), so reading one app's rows
   * is one range of the key rather than an index walk with a lookup per row.
   */
  clusterByPrimaryKey<T extends string, C extends string>(table: CreateTableBuilder<T, C>): CreateTableBuilder<T, C>;

  // How segments read documents (segments/compile-dimensions.ts); each returns SQL for a WHERE clause.
  /** Whether `text` contains `needle`, case-sensitively. */
  textContains(text: Expression<string>, needle: string): RawBuilder<SqlBool>;
  /** The number stored at `key` of a JSON object, or null when there is none. */
  jsonNumber(document: Expression<unknown>, key: string): RawBuilder<number | null>;
  /**
   * Whether some element of the JSON array at `key` satisfies `predicate`, which receives the
   * element as text or as a number; false when there is no such array.
   */
  jsonArraySome(
    document: Expression<unknown>,
    key: string,
    elements: "text" | "number",
    predicate: (element: RawBuilder<unknown>) => Expression<SqlBool>,
  ): RawBuilder<SqlBool>;
}
