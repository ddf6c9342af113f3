/**
 * GET /api/rounds/:id/offline-units over real HTTP on SQLite and PostgreSQL: the access code is
 * required, and the list holds exactly the units of the round's scope at the instrument's level.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS, postgresAvailable } from "../helpers/databases.js";
import { startTestServer, ENUMERATOR_CODE, DEMO_PROVINCE, type TestServer } from "../helpers/server.js";
import { demoUnits } from "../helpers/responses.js";

interface Unit {
  key: string;
  code: string;
  name: string;
  fullName: string;
  level: string;
  parentName: string | null;
}

describe.each(DIALECTS)("offline units on %s", (dialect) => {
  const skip = dialect === "postgres" && !postgresAvailable;
  let server: TestServer;
  let round: string;
  const withCode = { headers: { "x-enumerator-code": ENUMERATOR_CODE } };

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(dialect);
    round = await server.createRound("sipas-2022");
  });
  afterAll(async () => {
    if (!skip) await server.close();
  });

  it.skipIf(skip)("needs the round's enumerator code: 401 without, 403 wrong, 404 unknown round", async () => {
    const none = await server.api(`/api/rounds/${round}/offline-units`);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe("unauthenticated");
    const wrong = await server.api(`/api/rounds/${round}/offline-units`, { headers: { "x-enumerator-code": "not-the-code" } });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe("forbidden");
    expect((await server.api("/api/rounds/nope/offline-units", withCode)).status).toBe(404);
  });

  it.skipIf(skip)("refuses a round that takes no enumerator responses, even with a code", async () => {
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
    });
  });

  it.skipIf(skip)("a narrower scope gives only its villages; overlapping scope keys give each village once", async () => {
    const commune = server.ctx.units.childrenOf(DEMO_PROVINCE).find((u) => u.level === "commune")!;
    const narrow = await server.createRound("sipas-2022", { scope: [commune.key] });
    const res = await server.api(`/api/rounds/${narrow}/offline-units`, withCode);
    const keys = (res.body.units as Unit[]).map((u) => u.key).sort();
    expect(keys).toEqual(server.ctx.units.childrenOf(commune.key).map((u) => u.key).sort());
    expect(keys.length).toBe(2);

    const overlapping = await server.createRound("sipas-2022", { scope: [DEMO_PROVINCE, commune.key] });
    const all = (await server.api(`/api/rounds/${overlapping}/offline-units`, withCode)).body.units as Unit[];
    expect(all.length).toBe(new Set(all.map((u) => u.key)).size);
    expect(all.length).toBe(demoUnits(server.ctx, "village").length);
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
