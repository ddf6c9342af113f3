/**
 * The brief cache of rounds belongs to one app: two apps on two databases that both hold a round
 * of the same id each see their own round, and a round forgotten is read again by every app.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { openContext, prepareDatabase } from "../../server/bootstrap.js";
import { REPO_ROOT } from "../../server/config.js";
import { ensureDemoUnits, DEMO_PROVINCE } from "../../server/demo/seed.js";
import { insertRound, setRoundStatus } from "../../server/rounds/repository.js";
import { latestEdition } from "../../server/instruments/repository.js";
import { cachedRound, forgetRound } from "../../server/responses/prepare.js";
import type { AppContext } from "../../server/app-context.js";

describe("round cache", () => {
  const databases: TestDatabase[] = [];
  const apps: AppContext[] = [];

  beforeAll(async () => {
    for (const status of ["open", "closed"] as const) {
      const database = await createTestDatabase("sqlite");
      databases.push(database);
      const ctx = await openContext({ databaseUrl: undefined, sqlitePath: database.sqlitePath, clientDir: null, minCellSize: 1 });
      apps.push(ctx);
      await prepareDatabase(ctx, path.join(REPO_ROOT, "surveys"), { quiet: true });
      await ensureDemoUnits(ctx);
      const sipas = (await latestEdition(ctx.db.kysely, "sipas-2022"))!.instrument;
      await insertRound(ctx.db.kysely, {
        id: "same-id",
        title: { vi: "Cùng mã", en: "Same id" },
        edition: sipas.id,
        version: sipas.version,
        status,
        periodStart: null,
        periodEnd: null,
        registry: "2025",
        scope: [DEMO_PROVINCE],
        groups: ["citizen"],
        modes: ["public"],
        minCellSize: 1,
      });
    }
  }, 240_000);

  afterAll(async () => {
    for (const ctx of apps) await ctx.db.close();
    for (const database of databases) await database.drop();
  });

  it("serves each app its own database's round, and forgets a round for every app", async () => {
    const [a, b] = apps as [AppContext, AppContext];
    expect((await cachedRound(a, "same-id"))?.status).toBe("open");
    expect((await cachedRound(b, "same-id"))?.status).toBe("closed");
    // Both cached now: each still answers with its own.
    expect((await cachedRound(a, "same-id"))?.status).toBe("open");
    expect((await cachedRound(b, "same-id"))?.status).toBe("closed");

    await setRoundStatus(a.db.kysely, "same-id", "closed");
    await setRoundStatus(b.db.kysely, "same-id", "open");
    forgetRound("same-id");
    expect((await cachedRound(a, "same-id"))?.status).toBe("closed");
    expect((await cachedRound(b, "same-id"))?.status).toBe("open");
  });
});
