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
  return {
    name: "postgres",
    jsonType: "jsonb",
    serialType: "bigserial",
    supportsSkipLocked: true,
    serialPrimaryKey: (column) => column.primaryKey(),
    createKyselyDialect() {
      const pool = new pg.Pool({ connectionString, max: 10 });
      // An idle connection the server closed (a restart, an administrator) is replaced at the next
      // checkout; unhandled, this event would end the process.
      pool.on("error", (error) => process.emitWarning(`PostgreSQL connection lost: ${error.message}`));
      return new PostgresDialect({ pool });
    },
  };
}
