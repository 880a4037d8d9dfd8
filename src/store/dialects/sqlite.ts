import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { SqliteDialect } from "kysely";
import type { StoreDialect } from "../dialect.js";

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
      return new SqliteDialect({ database });
    },
  };
}
