import type { Kysely, Migration } from "kysely";
import type { StoreDialect } from "../dialect.js";
import * as foundation from "./0001-foundation.js";
import * as segments from "./0002-segments.js";
import * as templates from "./0003-templates.js";
import * as messages from "./0004-messages.js";
import * as optOuts from "./0005-opt-outs.js";
import * as otp from "./0006-otp.js";
import * as messageProviderIds from "./0007-message-provider-ids.js";
import * as journeys from "./0008-journeys.js";
import * as journeyRunProgress from "./0009-journey-run-progress.js";

interface DialectMigration {
  up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void>;
}

/** Numbered and append-only: a released migration is never edited, a change is a new file. */
const ordered: Record<string, DialectMigration> = {
  "0001-foundation": foundation,
  "0002-segments": segments,
  "0003-templates": templates,
  "0004-messages": messages,
  "0005-opt-outs": optOuts,
  "0006-otp": otp,
  "0007-message-provider-ids": messageProviderIds,
  "0008-journeys": journeys,
  "0009-journey-run-progress": journeyRunProgress,
};

export function migrationsFor(dialect: StoreDialect): Record<string, Migration> {
  return Object.fromEntries(
    Object.entries(ordered).map(([name, migration]) => [name, { up: (db) => migration.up(db, dialect) }]),
  );
}
