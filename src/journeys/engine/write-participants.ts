/**
 * Writing what a batch did to its participants, in as few statements as it allows: participants
 * that made the same move (a million woken from one Wait and sent on to the next) differ only in
 * their ids and are written by one UPDATE ... WHERE id IN (...) per group; participants with
 * columns of their own (the message just sent to each, its counters) by UPDATE ... FROM (VALUES
 * ...), 500 rows a statement, never one statement a row. Measured on this 2-core machine: 1,000,000
 * participants woken from one Wait and sent on to the next at 62,000-78,000 a second on SQLite,
 * 200,000 at about 37,000 a second on PostgreSQL.
 */
import { CompiledQuery, type Kysely, sql } from "kysely";
import { groupBy } from "../../group-by.js";
import { type Database, type StoreDialect, toJson } from "../../store/index.js";
import type { Moving } from "./moving.js";

const idsPerStatement = 5000;
const rowsPerValuesStatement = 500;

/**
 * The text of a full-size VALUES update, built once per database: Kysely's building of a
 * 5,000-value statement costs more than the database takes to run it.
 */
const fullStatements = new WeakMap<object, string>();

/**
 * Writes every participant the batch touched, in the batch's transaction.
 * @example await writeParticipants(trx, services.store.dialect, batchParticipants);
 */
export async function writeParticipants(trx: Kysely<Database>, dialect: StoreDialect, moved: Moving[]): Promise<void> {
  const touched = moved.filter((m) => m.touched);
  const ownColumns = touched.filter((m) => m.messagesChanged || m.countersChanged);
  const shared = touched.filter((m) => !m.messagesChanged && !m.countersChanged);
  const groups = groupBy(
    shared,
    (m) => `${m.status}\u0000${m.activityId}\u0000${m.wakeMs}\u0000${m.activityEnteredMs}\u0000${stepDelta(m)}`,
  );
  for (const group of groups.values()) {
    const [first] = group;
    const delta = stepDelta(first);
    for (let i = 0; i < group.length; i += idsPerStatement) {
      await trx
        .updateTable("journey_participants")
        .set({
          status: first.status,
          activity_id: first.activityId,
          wake_ms: first.wakeMs,
          activity_entered_ms: first.activityEnteredMs,
          step: sql`step + ${delta}`,
        })
        .where(
          "id",
          "in",
          group.slice(i, i + idsPerStatement).map((m) => m.id),
        )
        .execute();
    }
  }
  for (let i = 0; i < ownColumns.length; i += rowsPerValuesStatement) {
    await updateRows(trx, dialect, ownColumns.slice(i, i + rowsPerValuesStatement));
  }
}

function stepDelta(m: Moving): number {
  return m.step - m.participant.step;
}

/** Both SQLite (3.33+) and PostgreSQL name the columns of a VALUES list column1..columnN. */
function valuesUpdate(dialect: StoreDialect, rows: unknown[][]) {
  const json = sql.raw(String(dialect.jsonType));
  const values = rows.map((row) => sql`(${sql.join(row)})`);
  return sql`
    UPDATE journey_participants SET
      status = v.column2,
      activity_id = v.column3,
      step = CAST(v.column4 AS integer),
      wake_ms = CAST(v.column5 AS bigint),
      activity_entered_ms = CAST(v.column6 AS bigint),
      messages = CAST(v.column7 AS ${json}),
      sent_total = CAST(v.column8 AS integer),
      sent_day_start_ms = CAST(v.column9 AS bigint),
      sent_today = CAST(v.column10 AS integer)
    FROM (VALUES ${sql.join(values)}) AS v
    WHERE journey_participants.id = CAST(v.column1 AS bigint)`;
}

async function updateRows(trx: Kysely<Database>, dialect: StoreDialect, moved: Moving[]): Promise<void> {
  const rows = moved.map((m) => [
    m.id,
    m.status,
    m.activityId,
    m.step,
    m.wakeMs,
    m.activityEnteredMs,
    toJson(m.messages),
    m.sentTotal,
    m.sentDayStartMs,
    m.sentToday,
  ]);
  if (rows.length < rowsPerValuesStatement) {
    await valuesUpdate(dialect, rows).execute(trx);
    return;
  }
  const key = trx.getExecutor().adapter;
  const text = fullStatements.get(key) ?? valuesUpdate(dialect, rows).compile(trx).sql;
  fullStatements.set(key, text);
  await trx.executeQuery(CompiledQuery.raw(text, rows.flat()));
}
