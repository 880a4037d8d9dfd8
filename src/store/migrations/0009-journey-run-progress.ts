import type { Kysely } from "kysely";

/**
 * How far a journey run's fan-out has come: how many endpoints its segment held when the fan-out
 * began, and how many entries it has written. A broadcast's progress (and the `waymark broadcast`
 * progress bar) reads these two numbers instead of counting participant rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("journey_runs").addColumn("audience_size", "bigint").execute();
  await db.schema
    .alterTable("journey_runs")
    .addColumn("entrants", "bigint", (c) => c.notNull().defaultTo(0))
    .execute();
}
