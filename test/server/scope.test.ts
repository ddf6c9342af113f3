/**
 * Analyst scope over real HTTP on SQLite and PostgreSQL: an analyst limited to one commune and one
 * round reads and writes targets of that commune only, never gets values of another round
 * (`compare=`, a target's `base`), sees progress of its area only, and cannot change another
 * account's peer group. Each case is a hole that was open; docs/security.md, "Analyst scope".
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS, postgresAvailable } from "../helpers/databases.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { demoUnits } from "../helpers/responses.js";
import { latestEdition } from "../../server/instruments/repository.js";
import { addVillages, randomSubmissions, submitAll } from "../results/fixtures.js";
import { insertUnits, toUnitInfo, type UnitRow } from "../../server/units/repository.js";
import type { ProgressResponse, TargetResult } from "../../shared/results/types.js";
import type { TargetInput } from "../../shared/results/schemas.js";

describe.each(DIALECTS)("analyst scope on %s", (dialect) => {
  const skip = dialect === "postgres" && !postgresAvailable;
  let server: TestServer;
  let round: string;
  let otherRound: string;
  let communeA: string;
  let communeB: string;
  let admin: Record<string, string>;
  let scoped: Record<string, string>;

  const asAdmin = (path: string, init: RequestInit & { json?: unknown } = {}) => server.api(path, { ...init, headers: admin });
  const asScoped = (path: string, init: RequestInit & { json?: unknown } = {}) => server.api(path, { ...init, headers: scoped });

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(dialect);
    const sipas = (await latestEdition(server.ctx.db.kysely, "sipas-2022"))!.instrument;
    round = await server.createRound("sipas-2022", { minCellSize: 1 });
    otherRound = await server.createRound("sipas-2022", { minCellSize: 1 });
    const villages = demoUnits(server.ctx, "village");
    const communeOf = (v: string) => server.ctx.units.ancestorAt(v, "commune")!.key;
    communeA = communeOf(villages[0]!);
    communeB = communeOf(villages.find((v) => communeOf(v) !== communeA)!);
    const inA = villages.filter((v) => communeOf(v) === communeA);
    const inB = villages.filter((v) => communeOf(v) === communeB);
    for (const r of [round, otherRound]) {
      await submitAll(server, r, [...randomSubmissions(sipas, inA, ["citizen"], 12, 7), ...randomSubmissions(sipas, inB, ["citizen"], 30, 8)]);
    }
    const adminUser = await server.createUser("admin");
    admin = await server.signIn(adminUser.username, adminUser.password);
    const analyst = await server.createUser("analyst", { unitScope: [communeA], rounds: [round] });
    scoped = await server.signIn(analyst.username, analyst.password);
  }, 120_000);
  afterAll(async () => {
    if (!skip) await server.close();
  });

  const adminTargets = (): TargetInput[] => [
    { kind: "value", node: "SIPAS", value: 90 },
    { kind: "value", node: "SIPAS", value: 80, unit: communeB },
    { kind: "value", node: "SIPAS", value: 70, unit: communeA },
  ];

  it.skipIf(skip)("PUT targets: a scoped analyst replaces only its area's targets and gets its unit's evaluation back", async () => {
    expect((await asAdmin(`/api/rounds/${round}/targets`, { method: "PUT", json: { targets: adminTargets() } })).status).toBe(200);

    const put = await asScoped(`/api/rounds/${round}/targets?unit=${communeA}`, {
      method: "PUT",
      json: { targets: [{ kind: "value", node: "SIPAS", value: 75, unit: communeA }] },
    });
    expect(put.status).toBe(200);
    // The evaluation is of the caller's unit, never of the whole round.
    expect(put.body.unit?.key).toBe(communeA);
    expect(put.body.responses).toBe(12);
    expect(put.body.targets).toEqual([{ kind: "value", node: "SIPAS", value: 75, unit: communeA }]);
    expect((put.body.evaluation as TargetResult[]).map((e) => [e.unit, e.goal])).toEqual([[communeA, 75]]);

    // The round-wide target and the other commune's target are still there, unchanged.
    const all = await asAdmin(`/api/rounds/${round}/targets`);
    expect(all.body.targets).toEqual([adminTargets()[0], adminTargets()[1], { kind: "value", node: "SIPAS", value: 75, unit: communeA }]);

    // Reading shows the caller's targets only.
    const read = await asScoped(`/api/rounds/${round}/targets?unit=${communeA}`);
    expect(read.status).toBe(200);
    expect(read.body.targets).toEqual([{ kind: "value", node: "SIPAS", value: 75, unit: communeA }]);
  });

  it.skipIf(skip)("PUT targets: a target for another unit or for the whole round is refused with 403 and changes nothing", async () => {
    const before = (await asAdmin(`/api/rounds/${round}/targets`)).body.targets;
    for (const [target, field] of [
      [{ kind: "value", node: "SIPAS", value: 50, unit: communeB }, "targets.0.unit"],
      [{ kind: "value", node: "SIPAS", value: 50 }, "targets.0.unit"],
    ] as const) {
      const res = await asScoped(`/api/rounds/${round}/targets?unit=${communeA}`, { method: "PUT", json: { targets: [target] } });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("unit_out_of_scope");
      expect(res.body.error.errors[0].question).toBe(field);
      expect(res.body.error.message_vi).toMatch(/địa bàn/);
      expect(res.body.error.message_en).toMatch(/area/);
    }
    expect((await asAdmin(`/api/rounds/${round}/targets`)).body.targets).toEqual(before);
  });

  it.skipIf(skip)("analysts of two areas saving targets at the same moment keep each other's", async () => {
    const [a, b] = [await server.createUser("analyst", { unitScope: [communeA] }), await server.createUser("analyst", { unitScope: [communeB] })];
    const [ha, hb] = [await server.signIn(a.username, a.password), await server.signIn(b.username, b.password)];
    expect((await asAdmin(`/api/rounds/${round}/targets`, { method: "PUT", json: { targets: [{ kind: "value", node: "SIPAS", value: 90 }] } })).status).toBe(
      200,
    );
    const save = (headers: Record<string, string>, unit: string, value: number) =>
      server.api(`/api/rounds/${round}/targets?unit=${unit}`, { method: "PUT", json: { targets: [{ kind: "value", node: "SIPAS", value, unit }] }, headers });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => [save(ha, communeA, 60 + i), save(hb, communeB, 70 + i)]).flat());
    expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
    const stored = (await asAdmin(`/api/rounds/${round}/targets`)).body.targets as TargetInput[];
    expect(stored.filter((t) => !t.unit)).toEqual([{ kind: "value", node: "SIPAS", value: 90 }]);
    expect(stored.filter((t) => t.unit === communeA)).toHaveLength(1);
    expect(stored.filter((t) => t.unit === communeB)).toHaveLength(1);
    expect(stored).toHaveLength(3);
  });

  it.skipIf(skip)("a rule target's base must be one of the caller's rounds", async () => {
    const rule = { kind: "rule", level: "component", delta: 5, base: otherRound, unit: communeA };
    const refused = await asScoped(`/api/rounds/${round}/targets?unit=${communeA}`, { method: "PUT", json: { targets: [rule] } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("round_not_assigned");
    expect(refused.body.error.errors[0].question).toBe("targets.0.base");
    expect((await asAdmin(`/api/rounds/${round}/targets`)).body.targets).not.toContainEqual(rule);
  });

  it.skipIf(skip)("a stored rule whose base round the analyst is not assigned to is evaluated without that round's values", async () => {
    const rule = { kind: "rule", level: "component", delta: 5, base: otherRound, unit: communeA };
    expect((await asAdmin(`/api/rounds/${round}/targets`, { method: "PUT", json: { targets: [rule] } })).status).toBe(200);
    const forAdmin = (await asAdmin(`/api/rounds/${round}/targets?unit=${communeA}`)).body.evaluation as TargetResult[];
    expect(forAdmin.length).toBeGreaterThan(0);
    expect(forAdmin.some((e) => e.goal !== null)).toBe(true);
    for (const path of [`/api/rounds/${round}/targets?unit=${communeA}`, `/api/rounds/${round}/results?unit=${communeA}`]) {
      const res = await asScoped(path);
      expect(res.status).toBe(200);
      const evaluation = (res.body.evaluation ?? res.body.targets) as TargetResult[];
      expect(evaluation.length).toBe(forAdmin.length);
      for (const e of evaluation) expect(e).toMatchObject({ goal: null, flags: expect.arrayContaining(["no_base"]) });
    }
  });

  it.skipIf(skip)("compare= naming a round the analyst is not assigned to is refused on results, ranks, weakest, targets and exports", async () => {
    const paths = [
      `/api/rounds/${round}/results?unit=${communeA}&compare=${otherRound}`,
      `/api/rounds/${round}/results/ranking?unit=${communeA}&level=village&compare=${otherRound}`,
      `/api/rounds/${round}/results/weakest?unit=${communeA}&compare=${otherRound}`,
      `/api/rounds/${round}/targets?unit=${communeA}&compare=${otherRound}`,
      `/api/rounds/${round}/export/results?unit=${communeA}&compare=${otherRound}&format=json`,
    ];
    for (const path of paths) {
      const res = await asScoped(path);
      expect(res.status, path).toBe(403);
      expect(res.body.error.code, path).toBe("round_not_assigned");
      expect(res.body.error.detail, path).toEqual({ field: "compare", round: otherRound });
      expect(JSON.stringify(res.body)).not.toMatch(/previous/);
    }
    // The same requests without the other round work.
    for (const path of paths) expect((await asScoped(path.replace(`&compare=${otherRound}`, ""))).status, path).toBe(200);
  });

  it.skipIf(skip)("progress counts only the analyst's area, at every level", async () => {
    for (const level of ["commune", "village", "agency", "province"]) {
      const res = await asScoped(`/api/rounds/${round}/progress?level=${level}`);
      expect(res.status, level).toBe(200);
      const body = res.body as ProgressResponse;
      for (const row of body.byUnit) expect(server.ctx.units.isWithin(row.unit.key, communeA), `${level}: ${row.unit.key}`).toBe(true);
      expect(body.total.responses, level).toBe(12);
      expect(
        body.byGroup.reduce((s, g) => s + g.responses, 0),
        level,
      ).toBe(12);
      expect(
        body.byDay.reduce((s, d) => s + d.responses, 0),
        level,
      ).toBe(12);
      expect(
        body.byChannel.reduce((s, d) => s + d.responses, 0),
        level,
      ).toBe(12);
    }
    const communes = (await asScoped(`/api/rounds/${round}/progress?level=commune`)).body as ProgressResponse;
    expect(communes.byUnit.map((r) => r.unit.key)).toEqual([communeA]);
    // An administrator still sees the whole round.
    const whole = (await asAdmin(`/api/rounds/${round}/progress?level=commune`)).body as ProgressResponse;
    expect(whole.total.responses).toBe(42);
    expect(whole.byUnit.map((r) => r.unit.key)).toEqual(expect.arrayContaining([communeA, communeB]));
  });

  it.skipIf(skip)("the round's public summary gives its whole-round response count only to callers who see the whole round", async () => {
    // 12 in the analyst's commune, 42 in all: the total would give the 30 outside its area by subtraction.
    const mine = await asScoped(`/api/rounds/${round}`);
    expect(mine.status).toBe(200);
    expect(mine.body.round.id).toBe(round);
    expect(mine.body.responses).toBeNull();
    expect((await server.api(`/api/rounds/${round}`)).body.responses).toBeNull();
    expect((await asAdmin(`/api/rounds/${round}`)).body.responses).toBe(42);
  });

  it.skipIf(skip)("cells that cannot be mapped to the registry shown are reported only inside the analyst's area", async () => {
    // A pre-2025 round over Hải Dương (merged into Hải Phòng, 2025:31) and a province with no crosswalk at all.
    const sipas = (await latestEdition(server.ctx.db.kysely, "sipas-2022"))!.instrument;
    const hd = (
      await server.ctx.db.kysely.selectFrom("unit_crosswalk").select("from_key").where("level", "=", "commune").where("from_key", "like", "pre2025:%").execute()
    )
      .map((l) => l.from_key)
      .find((key) => server.ctx.units.isWithin(key, "pre2025:30"))!;
    const lone: UnitRow[] = [
      {
        key: "pre2025:990",
        registry: "pre2025",
        code: "990",
        level: "province",
        name: "Thử",
        fullName: "Tỉnh Thử",
        type: "Tỉnh",
        parentKey: null,
        validFrom: "2008-08-01",
        validTo: "2025-06-30",
      },
      {
        key: "pre2025:99001",
        registry: "pre2025",
        code: "99001",
        level: "commune",
        name: "Thử",
        fullName: "Xã Thử",
        type: "Xã",
        parentKey: "pre2025:990",
        validFrom: "2008-08-01",
        validTo: "2025-06-30",
      },
    ];
    await insertUnits(server.ctx.db.kysely, lone);
    server.ctx.units.remember(lone.map(toUnitInfo));
    const villages = await addVillages(server, [hd, "pre2025:99001"]);
    const old = await server.createRound("sipas-2022", { registry: "pre2025", scope: ["pre2025:30", "pre2025:990"], minCellSize: 1 });
    await submitAll(server, old, randomSubmissions(sipas, villages, ["citizen"], 40, 12));
    const analyst = await server.createUser("analyst", { unitScope: ["2025:31"], rounds: [old] });
    const headers = await server.signIn(analyst.username, analyst.password);

    const path = `/api/rounds/${old}/results?asOf=2025&unit=2025:31`;
    const whole = await asAdmin(path);
    expect(whole.status).toBe(200);
    expect(whole.body.mapping.unmapped.map((u: { unit: { key: string } }) => u.unit.key)).toEqual(expect.arrayContaining(["pre2025:99001-T1"]));
    for (const p of [path, `${path}&rank=1`, `${path}&by=commune`]) {
      const mine = await server.api(p, { headers });
      expect(mine.status, p).toBe(200);
      expect(mine.body.responses, p).toBeGreaterThan(0);
      expect(mine.body.mapping.unmapped, p).toEqual([]);
    }
  });

  it.skipIf(skip)("peer groups are changed only by their creator or an administrator", async () => {
    const [first, second] = [await server.createUser("analyst"), await server.createUser("analyst")];
    const owner = await server.signIn(first.username, first.password);
    const other = await server.signIn(second.username, second.password);
    const group = (label: string, members: string[]) => ({ label: { vi: label, en: label }, registry: "2025", members });

    expect((await server.api("/api/peer-groups/nhom-cua-toi", { method: "PUT", json: group("Của tôi", [communeA, communeB]), headers: owner })).status).toBe(
      200,
    );
    const takeover = await server.api("/api/peer-groups/nhom-cua-toi", { method: "PUT", json: group("Chiếm", [communeA]), headers: other });
    expect(takeover.status).toBe(403);
    expect(takeover.body.error.code).toBe("peer_group_not_owned");
    expect(takeover.body.error.message_vi).toMatch(/người tạo/);
    // Refused before the body is checked: a bad body does not tell whether it would have been accepted.
    expect((await server.api("/api/peer-groups/nhom-cua-toi", { method: "PUT", json: {}, headers: other })).status).toBe(403);
    const kept = (await server.api("/api/peer-groups/nhom-cua-toi", { headers: other })).body.peerGroup;
    expect(kept).toMatchObject({ label: { vi: "Của tôi" }, members: [communeA, communeB] });

    expect((await server.api("/api/peer-groups/nhom-cua-toi", { method: "PUT", json: group("Sửa", [communeB]), headers: owner })).status).toBe(200);
    expect((await server.api("/api/peer-groups/nhom-cua-toi", { method: "PUT", json: group("Quản trị", [communeA]), headers: admin })).status).toBe(200);
    const final = (await server.api("/api/peer-groups/nhom-cua-toi", { headers: owner })).body.peerGroup;
    expect(final).toMatchObject({ label: { vi: "Quản trị" }, members: [communeA], createdBy: first.id });
  });

  it.skipIf(skip)("two accounts creating the same peer group at once: one owns it, the other is refused", async () => {
    const users = await Promise.all(Array.from({ length: 6 }, () => server.createUser("analyst")));
    const headers = await Promise.all(users.map((u) => server.signIn(u.username, u.password)));
    const results = await Promise.all(
      headers.map((h, i) =>
        server.api("/api/peer-groups/cung-luc", {
          method: "PUT",
          json: { label: { vi: `N${i}`, en: `N${i}` }, registry: "2025", members: [communeA] },
          headers: h,
        }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 403)).toHaveLength(5);
    const winner = results.findIndex((r) => r.status === 200);
    const stored = (await asAdmin("/api/peer-groups/cung-luc")).body.peerGroup;
    expect(stored).toMatchObject({ label: { vi: `N${winner}` }, createdBy: users[winner]!.id });
  });
});
