import { PostgresDialect, type SqlBool, sql } from "kysely";
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
    clusterByPrimaryKey: (table) => table,
    textContains: (text, needle) => sql<SqlBool>`strpos(${text}, ${needle}) > 0`,
    // The type checks keep a stray string or object from failing the whole query with a cast error.
    jsonNumber: (document, key) =>
      sql<
        number | null
      >`case when jsonb_typeof(${document} -> ${key}::text) = 'number' then (${document} ->> ${key}::text)::double precision end`,
    jsonArraySome: (document, key, elements, predicate) => {
      const element = elements === "number" ? sql`element.value::double precision` : sql`element.value`;
      return sql<SqlBool>`exists (select 1 from jsonb_array_elements_text(case when jsonb_typeof(${document} -> ${key}::text) = 'array' then ${document} -> ${key}::text end) as element(value) where ${predicate(element)})`;
    },
  };
}
