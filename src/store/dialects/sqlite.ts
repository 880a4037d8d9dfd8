import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { type Expression, type SqlBool, SqliteDialect, sql } from "kysely";
import type { StoreDialect } from "../dialect.js";
import { withStatementCache } from "./statement-cache.js";

/** `$."key"`: a JSON path naming one object member, whatever characters its name holds. */
function memberPath(key: string): string {
  return `$."${key.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/**
 * The embedded default: one file, WAL journal. `synchronous=NORMAL` in WAL mode keeps every
 * committed transaction through a process crash (kill -9); only a power loss can take the last ones.
 * @example sqliteDialect("./data/waymark.db")
 */
export function sqliteDialect(file: string): StoreDialect {
  return {
    name: "sqlite",
    jsonType: "text",
    serialType: "integer",
    supportsSkipLocked: false,
    serialPrimaryKey: (column) => column.primaryKey().autoIncrement(),
    createKyselyDialect() {
      if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
      const database = new Database(file);
      database.pragma("journal_mode = WAL");
      database.pragma("synchronous = NORMAL");
      database.pragma("busy_timeout = 10000");
      database.pragma("foreign_keys = ON");
      // 64 MB of page cache rather than SQLite's 2 MB: a million-row journey or outbox keeps its
      // index pages in memory instead of rereading them from the OS on every batch.
      database.pragma("cache_size = -65536");
      // Statements prepared once and reused: a 100,000-endpoint broadcast (email → wait) prepared
      // 4,715 statements in 1.83 s of its ~19 s of CPU; with the cache, 33 in 13 ms.
      return new SqliteDialect({ database: withStatementCache(database) });
    },
    clusterByPrimaryKey: (table) => table.modifyEnd(sql`without rowid`),
    textContains: (text, needle) => sql<SqlBool>`instr(${text}, ${needle}) > 0`,
    jsonNumber: (document, key) => sql<number | null>`json_extract(${document}, ${memberPath(key)})`,
    jsonArraySome: (document: Expression<unknown>, key, _elements, predicate) =>
      sql<SqlBool>`exists (select 1 from json_each(${document}, ${memberPath(key)}) as element where ${predicate(sql`element.value`)})`,
  };
}
