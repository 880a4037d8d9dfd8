import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addJob } from "../src/jobs/add-job.js";
import { completeJob } from "../src/jobs/complete-job.js";
import { failJob, retryDelayMs } from "../src/jobs/fail-job.js";
import { getJobs } from "../src/jobs/get-jobs.js";
import { openStore, type Store } from "../src/store/index.js";
import { databases, freshDatabase, type TestDatabase } from "./support/server.js";

describe.each(databases)("the jobs queue on %s", (kind) => {
  let database: TestDatabase;
  let store: Store;
  beforeAll(async () => {
    database = await freshDatabase(kind);
    store = openStore(database.url);
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });
  const claim = (workerId: string, now: number, limit = 10) =>
    getJobs(store.db, store.dialect, { workerId, limit, leaseMs: 60_000, now });

  it("gives a due job to one worker only, and not before it is due", async () => {
    const now = Date.now();
    const id = await addJob(store.db, { task: "t", payload: { n: 1 }, runAtMs: now + 1000 });
    expect(await claim("early", now)).toEqual([]);
    const [first, second] = await Promise.all([claim("a", now + 1000), claim("b", now + 1000)]);
    const claimed = [...first, ...second].filter((job) => job.id === id);
    expect(claimed).toHaveLength(1);
    expect(claimed[0]).toMatchObject({ task: "t", payload: { n: 1 }, attempts: 1 });
    const owner = first.some((job) => job.id === id) ? "a" : "b";
    await completeJob(store.db, id, owner);
    expect(await claim("c", now + 10_000_000)).toEqual([]);
  });

  it("hands a job whose worker died (stale lease) to another worker", async () => {
    const now = Date.now();
    const id = await addJob(store.db, { task: "stale", payload: {}, runAtMs: now });
    expect((await claim("doomed", now)).map((job) => job.id)).toEqual([id]);
    expect(await claim("other", now + 59_000)).toEqual([]);
    const recovered = await claim("other", now + 61_000);
    expect(recovered.map((job) => job.id)).toEqual([id]);
    expect(recovered[0].attempts).toBe(2);
    // The dead worker can no longer complete what it lost.
    await completeJob(store.db, id, "doomed");
    await completeJob(store.db, id, "other");
  });

  it("retries a failed job after a growing backoff and gives up at max attempts", async () => {
    const now = Date.now();
    const id = await addJob(store.db, { task: "flaky", payload: {}, runAtMs: now, maxAttempts: 2 });
    const [job] = await claim("w", now);
    await failJob(store.db, job, "w", "boom", now);
    expect(await claim("w", now + retryDelayMs(1) - 1)).toEqual([]);
    const [again] = await claim("w", now + retryDelayMs(1));
    expect(again.id).toBe(id);
    await failJob(store.db, again, "w", "boom again", now);
    expect(await claim("w", now + 3_600_000)).toEqual([]);
    const row = await store.db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(row.last_error).toBe("boom again");
    expect(retryDelayMs(2)).toBeGreaterThan(retryDelayMs(1));
  });
});
