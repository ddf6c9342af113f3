/**
 * GET /api/rounds/:id/offline-units over real HTTP on SQLite and PostgreSQL: only enumerator
 * devices (and administrators) of the round get it, and the list holds exactly the units of the
 * round's scope, and of the enumerator's assigned area, at the instrument's level.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS, postgresAvailable } from "../helpers/databases.js";
import { startTestServer, DEMO_PROVINCE, type TestServer } from "../helpers/server.js";
import { demoUnits } from "../helpers/responses.js";
import { buildUnitSearchIndex, searchUnits } from "../../shared/units/search.js";
import type { OfflineUnit as Unit } from "../../shared/api/offline.js";

describe.each(DIALECTS)("offline units on %s", (dialect) => {
  const skip = dialect === "postgres" && !postgresAvailable;
  let server: TestServer;
  let round: string;
  let withCode: { headers: Record<string, string> };

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(dialect);
    round = await server.createRound("sipas-2022");
    withCode = { headers: await server.deviceHeaders() };
  });
  afterAll(async () => {
    if (!skip) await server.close();
  });

  it.skipIf(skip)("needs an enumerator device: 401 without or with an unknown token, 403 for an analyst", async () => {
    const none = await server.api(`/api/rounds/${round}/offline-units`);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe("unauthenticated");
    const unknown = await server.api(`/api/rounds/${round}/offline-units`, { headers: { authorization: "Bearer not-a-device-token" } });
    expect(unknown.status).toBe(401);
    const analyst = await server.createUser("analyst");
    const asAnalyst = await server.api(`/api/rounds/${round}/offline-units`, { headers: await server.signIn(analyst.username, analyst.password) });
    expect(asAnalyst.status).toBe(403);
    expect(asAnalyst.body.error.code).toBe("forbidden");
  });

  it.skipIf(skip)("answers 404 for an unknown round and for a round the enumerator is not assigned to", async () => {
    expect((await server.api("/api/rounds/nope/offline-units", withCode)).status).toBe(404);
    const other = await server.createRound("sipas-2022");
    const assignedElsewhere = { headers: await server.deviceHeaders({ rounds: [other] }) };
    expect((await server.api(`/api/rounds/${round}/offline-units`, assignedElsewhere)).status).toBe(404);
    expect((await server.api(`/api/rounds/${other}/offline-units`, assignedElsewhere)).status).toBe(200);
  });

  it.skipIf(skip)("refuses a round that takes no enumerator responses", async () => {
    const publicOnly = await server.createRound("sipas-2022", { modes: ["public"] });
    const res = await server.api(`/api/rounds/${publicOnly}/offline-units`, withCode);
    expect(res.status).toBe(403);
  });

  it.skipIf(skip)("lists every village of the scope with its name and its commune's name", async () => {
    const res = await server.api(`/api/rounds/${round}/offline-units`, withCode);
    expect(res.status).toBe(200);
    const units = res.body.units as Unit[];
    expect(units.map((u) => u.key).sort()).toEqual(demoUnits(server.ctx, "village"));
    expect(units.every((u) => u.level === "village")).toBe(true);
    const first = units[0]!;
    const info = server.ctx.units.getCached(first.key)!;
    expect(first).toEqual({
      key: info.key,
      code: info.code,
      name: info.name,
      fullName: info.fullName,
      level: "village",
      parentName: server.ctx.units.getCached(info.parentKey!)!.fullName,
      ancestorNames: server.ctx.units.ancestorNames(info.key),
    });
    expect(first.ancestorNames!.length).toBeGreaterThanOrEqual(2);
  });

  it.skipIf(skip)("answers a device that already has this package with 304 and no body, and another version with the package", async () => {
    const first = await server.api(`/api/rounds/${round}/offline-units`, withCode);
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^(W\/)?"[^"]+"$/);
    expect(first.headers.get("cache-control")).toBe("private, no-cache");
    const again = await server.api(`/api/rounds/${round}/offline-units`, { headers: { ...withCode.headers, "if-none-match": etag! } });
    expect(again.status).toBe(304);
    expect(again.body).toBeNull();
    const stale = await server.api(`/api/rounds/${round}/offline-units`, { headers: { ...withCode.headers, "if-none-match": '"something-else"' } });
    expect(stale.status).toBe(200);
    expect(stale.body.units).toEqual(first.body.units);
  });

  it.skipIf(skip)("carries the names above each village, so the device finds them by typing the province offline", async () => {
    const units = (await server.api(`/api/rounds/${round}/offline-units`, withCode)).body.units as Unit[];
    const index = buildUnitSearchIndex(units.map(({ parentName, ...u }) => (parentName ? { ...u, parentName } : u)));
    const province = server.ctx.units.getCached(DEMO_PROVINCE)!;
    for (const query of [province.name, ...province.formerNames]) {
      const hits = searchUnits(index, query, { level: "village", limit: 1000 });
      expect(hits.length, query).toBe(units.length);
    }
  });

  it.skipIf(skip)("a narrower scope gives only its villages; overlapping scope keys give each village once", async () => {
    const commune = server.ctx.units.childrenOf(DEMO_PROVINCE).find((u) => u.level === "commune")!;
    const narrow = await server.createRound("sipas-2022", { scope: [commune.key] });
    const res = await server.api(`/api/rounds/${narrow}/offline-units`, withCode);
    const keys = (res.body.units as Unit[]).map((u) => u.key).sort();
    expect(keys).toEqual(
      server.ctx.units
        .childrenOf(commune.key)
        .map((u) => u.key)
        .sort(),
    );
    expect(keys.length).toBe(2);

    const overlapping = await server.createRound("sipas-2022", { scope: [DEMO_PROVINCE, commune.key] });
    const all = (await server.api(`/api/rounds/${overlapping}/offline-units`, withCode)).body.units as Unit[];
    expect(all.length).toBe(new Set(all.map((u) => u.key)).size);
    expect(all.length).toBe(demoUnits(server.ctx, "village").length);
  });

  it.skipIf(skip)("an enumerator assigned to one commune gets only its villages", async () => {
    const commune = server.ctx.units.childrenOf(DEMO_PROVINCE).filter((u) => u.level === "commune")[3]!;
    const res = await server.api(`/api/rounds/${round}/offline-units`, { headers: await server.deviceHeaders({ unitScope: [commune.key] }) });
    expect(res.status).toBe(200);
    expect((res.body.units as Unit[]).map((u) => u.key).sort()).toEqual(
      server.ctx.units
        .childrenOf(commune.key)
        .map((u) => u.key)
        .sort(),
    );
  });

  it.skipIf(skip)("follows the instrument's level: agencies for the leader survey", async () => {
    const leaders = await server.createRound("par-leaders-2022");
    const res = await server.api(`/api/rounds/${leaders}/offline-units`, withCode);
    expect(res.status).toBe(200);
    const units = res.body.units as Unit[];
    expect(units.length).toBeGreaterThan(0);
    expect(units.map((u) => u.key).sort()).toEqual(demoUnits(server.ctx, "agency"));
  });
});
