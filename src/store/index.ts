/**
 * The store: one Kysely instance over SQLite or PostgreSQL, chosen by the database URL.
 * @example
 * const store = openStore("sqlite:./data/waymark.db");
 * await store.migrate();
 * await store.db.selectFrom("apps").selectAll().execute();
 */
import { Kysely, Migrator } from "kysely";
import type { StoreDialect } from "./dialect.js";
import { postgresDialect } from "./dialects/postgres.js";
import { sqliteDialect } from "./dialects/sqlite.js";
import { migrationsFor } from "./migrations/index.js";
import type { Database } from "./schema.js";

export type { StoreDialect } from "./dialect.js";
export { fromJson, toJson } from "./json.js";
export type { Database } from "./schema.js";

export interface Store {
  db: Kysely<Database>;
  dialect: StoreDialect;
  /** Applies pending migrations; safe to run from several processes at once. */
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

export function dialectFor(databaseUrl: string): StoreDialect {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return postgresDialect(databaseUrl);
  if (databaseUrl.startsWith("sqlite:")) return sqliteDialect(databaseUrl.slice("sqlite:".length));
  throw new Error(`Unsupported database URL "${databaseUrl}": use sqlite:<file> or postgres://...`);
}

export function openStore(databaseUrl: string): Store {
  const dialect = dialectFor(databaseUrl);
  const db = new Kysely<Database>({ dialect: dialect.createKyselyDialect() });
  return {
    db,
    dialect,
    async migrate() {
      const migrator = new Migrator({
        db,
        provider: { getMigrations: async () => migrationsFor(dialect) },
        migrationTableName: "waymark_migrations",
        migrationLockTableName: "waymark_migrations_lock",
        // Migrations are numbered as features are written, possibly in parallel: run each one pending.
        allowUnorderedMigrations: true,
      });
      const { error, results } = await migrator.migrateToLatest();
      if (error) throw error;
      return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
    },
    close: () => db.destroy(),
  };
}
