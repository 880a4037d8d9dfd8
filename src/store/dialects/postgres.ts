import { PostgresDialect } from "kysely";
import pg from "pg";
import type { StoreDialect } from "../dialect.js";

// 64-bit integers (counters, epoch milliseconds) fit a JS number for every value Waymark stores.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/**
 * PostgreSQL (or a compatible distributed SQL database), shared by many Waymark processes.
 * @example postgresDialect("postgres://127.0.0.1:5432/waymark")
 */
export function postgresDialect(connectionString: string): StoreDialect {
  let pool: pg.Pool | undefined;
  return {
    name: "postgres",
    jsonType: "jsonb",
    serialType: "bigserial",
    supportsSkipLocked: true,
    serialPrimaryKey: (column) => column.primaryKey(),
    createKyselyDialect() {
      pool = new pg.Pool({ connectionString, max: 10 });
      return new PostgresDialect({ pool });
    },
  };
}
