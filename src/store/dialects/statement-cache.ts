/**
 * Prepared statements kept for reuse in front of better-sqlite3. Kysely's SQLite driver prepares
 * every query it runs anew; the same handful of statements run thousands of times over (claims,
 * the outbox's batched inserts and updates), and compiling one of those 500-row statements costs
 * SQLite more than running it. Keyed by SQL text, least recently used first out, and bounded by
 * the text's length: a compiled statement takes about 30 bytes per character of its SQL.
 */
import type { Database as SqliteDatabase, Statement } from "better-sqlite3";

/** What Kysely's SqliteDialect asks of a database. */
export interface PreparingDatabase {
  prepare(sql: string): Statement;
  close(): void;
}

/** About 15 MB of compiled statements at most; the hot set of a broadcast is a third of that. */
const maxCachedCharacters = 512 * 1024;
/** A statement longer than this (a 5,000-id IN list, say) is rare enough to compile each time. */
const maxStatementCharacters = 64 * 1024;

/**
 * The database with `prepare` answering a cached statement for SQL it has seen lately.
 * @example new SqliteDialect({ database: withStatementCache(new Database(file)) })
 */
export function withStatementCache(database: SqliteDatabase): PreparingDatabase {
  const statements = new Map<string, Statement>();
  let cachedCharacters = 0;
  return {
    prepare(sql: string): Statement {
      const cached = statements.get(sql);
      // A statement still iterating (a stream not read to its end) cannot run again meanwhile.
      if (cached && !cached.busy) {
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = database.prepare(sql);
      if (cached || sql.length > maxStatementCharacters) return statement;
      statements.set(sql, statement);
      cachedCharacters += sql.length;
      for (const [oldest] of statements) {
        if (cachedCharacters <= maxCachedCharacters) break;
        statements.delete(oldest);
        cachedCharacters -= oldest.length;
      }
      return statement;
    },
    close(): void {
      statements.clear();
      database.close();
    },
  };
}
