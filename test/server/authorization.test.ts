/**
 * The authorization matrix: every API route, as declared in the code, called by every kind of
 * caller (anonymous, enumerator device, enumerator, analyst, administrator). A caller the route
 * allows is never refused by the access layer (no 401/403); any other gets 401 (anonymous) or 403.
 * The route list comes from the app itself, so a new endpoint cannot be left out.
 * Then, on SQLite and PostgreSQL, cross-scope parameters: every parameter or body field that names
 * a round, a unit, a peer group or a base round, sent by a caller assigned elsewhere (table below).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createApp, routeDeclarations } from "../../server/app.js";
import { API_TOKEN_ROUTES, type Access } from "../../server/http/access.js";
import type { Role } from "../../server/accounts/repository.js";
import { demoUnits, makeSubmission } from "../helpers/responses.js";
import { DIALECTS, postgresAvailable } from "../helpers/databases.js";
import { latestEdition } from "../../server/instruments/repository.js";
import { seededRng } from "../../server/demo/random.js";
import { randomSubmissions, submitAll } from "../results/fixtures.js";

type Caller = "anonymous" | "device" | "api-token" | Role;
const CALLERS: Caller[] = ["anonymous", "device", "api-token", "enumerator", "analyst", "admin"];

/** `route`: "METHOD /api/path"; an analyst's API token reaches only the reads of API_TOKEN_ROUTES. */
function allowed(access: Access, caller: Caller, route: string): boolean {
  if (access === "public" || access === "token") return true;
  if (caller === "anonymous") return false;
  if (caller === "api-token") return access.includes("analyst") && API_TOKEN_ROUTES.has(route);
  return access.includes(caller === "device" ? "enumerator" : caller);
}

describe("authorization matrix", () => {
  let server: TestServer;
  const params: Record<string, string> = {};
  const headersCache = new Map<Caller, Record<string, string>>();

  beforeAll(async () => {
    server = await startTestServer("sqlite");
    params.id = await server.createRound("par-leaders-2022", { modes: ["public", "invitation", "enumerator"], minCellSize: 3 });
    params.key = demoUnits(server.ctx, "agency")[0]!;
    params.layout = "codebook";
    const admin = await server.createUser("admin");
    const adminHeaders = await server.signIn(admin.username, admin.password);
    // A cell at the round's minimum size, so that the invitation routes have invitees to work on.
    const invitees = ["Lê Văn Tám", "Trần Thị Chín", "Phạm Văn Mười"].map((name, i) => ({
      name,
      email: `moi${i}@example.vn`,
      group: "so",
      agency: params.key,
    }));
    const imported = await server.api(`/api/rounds/${params.id}/invitations`, { json: { invitees }, headers: adminHeaders });
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    const links = await (await fetch(`${server.url}/api/rounds/${params.id}/invitations/links.csv`, { headers: adminHeaders })).text();
    // Links keep the token in the fragment; no route takes it in its path any more (docs/anonymity.md).
    expect(links.match(/\/i\/#[A-Za-z0-9_-]+/g)).toHaveLength(3);
    params.peerGroupId = "mien-trung";
  }, 60_000);
  afterAll(async () => server?.close());

  async function headersFor(caller: Caller): Promise<Record<string, string>> {
    const hit = headersCache.get(caller);
    if (hit) return hit;
    let headers: Record<string, string> = {};
    if (caller === "device") headers = await server.deviceHeaders();
    else if (caller === "api-token") {
      const user = await server.createUser("analyst");
      const made = await server.api("/api/api-tokens", {
        method: "POST",
        json: { label: "matrix", expiresInDays: 1 },
        headers: await server.signIn(user.username, user.password),
      });
      expect(made.status).toBe(201);
      headers = { authorization: `Bearer ${made.body.token}` };
    } else if (caller !== "anonymous") {
      const user = await server.createUser(caller);
      headers = await server.signIn(user.username, user.password);
    }
    headersCache.set(caller, headers);
    return headers;
  }

  it("covers every declared route", () => {
    const routes = routeDeclarations(createApp({ settings: { clientDir: null } } as never));
    expect(routes.length).toBeGreaterThan(30);
    expect(routes.every((r) => r.access === "public" || r.access === "token" || r.access.length > 0)).toBe(true);
    // The invitation, XLSForm and ODK routes are walked with the rest, with the access they declare.
    const access = Object.fromEntries(routes.map((r) => [`${r.method} ${r.path}`, r.access]));
    expect(access).toMatchObject({
      "POST /api/invitations/lookup": "token",
      "POST /api/invitations/credential": "token",
      "POST /api/invitations/responses": "public",
      "POST /api/xlsform": ["admin"],
      "GET /api/xlsform/:edition": ["admin"],
      "POST /api/odk/settings": ["enumerator"],
    });
  });

  it("allows and refuses exactly as declared", async () => {
    const routes = routeDeclarations(server.ctx ? createApp(server.ctx) : createApp({ settings: { clientDir: null } } as never));
    const failures: string[] = [];
    for (const route of routes) {
      for (const caller of CALLERS) {
        // Throwaway targets for routes that change accounts or devices, so later calls still work.
        const path = route.path.replace(/:(\w+)/g, (_, name: string) => {
          if (route.path.startsWith("/api/users/")) return "00000000-0000-4000-8000-000000000000";
          if (route.path.startsWith("/api/devices/")) return "00000000-0000-4000-8000-000000000000";
          if (route.path.startsWith("/api/api-tokens/")) return "00000000-0000-4000-8000-000000000000";
          if (route.path.startsWith("/api/peer-groups/")) return params.peerGroupId!;
          return params[name] ?? name;
        });
        const headers = await headersFor(caller);
        const write = route.method !== "GET";
        const res = await fetch(server.url + path, {
          method: route.method,
          headers: { ...headers, ...(write ? { "content-type": "application/json" } : {}) },
          ...(write ? { body: "{}" } : {}),
        });
        await res.arrayBuffer();
        const refused = res.status === 401 || res.status === 403;
        const expectAllowed = allowed(route.access, caller, `${route.method} ${route.path}`);
        // An allowed caller may still get 4xx for the empty body, never a refusal or a server error.
        if (expectAllowed && (refused || res.status >= 500)) failures.push(`${route.method} ${route.path} as ${caller}: ${res.status}, expected access`);
        if (!expectAllowed && res.status !== (caller === "anonymous" ? 401 : 403))
          failures.push(`${route.method} ${route.path} as ${caller}: ${res.status}, expected ${caller === "anonymous" ? 401 : 403}`);
        // Signing out ends the session; the next call as this caller signs in again.
        if (route.path === "/api/auth/logout") headersCache.delete(caller);
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  /**
   * Routes outside /api: the built client's pages, and ODK Collect's OpenRosa server, which checks
   * HTTP Basic on every request itself (server/openrosa/routes.ts). The list below must match the
   * app's, so a new OpenRosa route (or any other route outside /api) fails here until it is added.
   */
  const OPENROSA_ROUTES = [
    "GET /openrosa/formList",
    "GET /openrosa/forms/:id/form.xml",
    "GET /openrosa/forms/:id/manifest",
    "GET /openrosa/forms/:id/units.csv",
    "GET /openrosa/submission",
    "POST /openrosa/submission",
  ];

  it("lists every route outside /api, and OpenRosa lets in only enumerators and administrators", async () => {
    const app = createApp({ ...server.ctx, settings: { ...server.ctx.settings, clientDir: null } });
    const outside = app.routes.filter((r) => !r.path.startsWith("/api/") && r.method !== "ALL").map((r) => `${r.method} ${r.path}`);
    expect([...new Set(outside)].sort()).toEqual([...OPENROSA_ROUTES].sort());
    const basic = async (role: Role) => {
      const user = await server.createUser(role);
      return { authorization: `Basic ${Buffer.from(`${user.username}:${user.password}`).toString("base64")}` };
    };
    const as: Record<string, Record<string, string>> = {
      anonymous: {},
      enumerator: await basic("enumerator"),
      analyst: await basic("analyst"),
      admin: await basic("admin"),
    };
    const failures: string[] = [];
    for (const route of OPENROSA_ROUTES) {
      const [method, pattern] = route.split(" ") as [string, string];
      const path = pattern.replace(":id", params.id!);
      for (const [caller, headers] of Object.entries(as)) {
        const res = await fetch(server.url + path, { method, headers });
        await res.arrayBuffer();
        const refused = res.status === 401 || res.status === 403;
        if (caller === "anonymous" && (res.status !== 401 || !/^Basic /.test(res.headers.get("www-authenticate") ?? "")))
          failures.push(`${route} as anonymous: ${res.status}, expected 401 with a Basic challenge`);
        if (caller === "analyst" && res.status !== 403) failures.push(`${route} as analyst: ${res.status}, expected 403`);
        if ((caller === "enumerator" || caller === "admin") && (refused || res.status >= 500))
          failures.push(`${route} as ${caller}: ${res.status}, expected access`);
      }
    }
    expect(failures).toEqual([]);
  }, 60_000);
});

/*
 * Cross-scope parameters. Every route an analyst or an enumerator may call is listed below with
 * each parameter or body field that names a round, a unit, a peer group or a base round. Each is
 * called by a caller assigned to one round and one commune, once inside its scope (must not be
 * refused) and once naming something outside it: 403 (or, where the rule says so, an answer
 * restricted to the scope). A route missing from the table fails the test, so a new route must say
 * what it names. The rules: docs/security.md, "Analyst scope".
 */

interface Fixture {
  /** The caller's round and one it is not assigned to. */
  round: string;
  otherRound: string;
  /** A commune inside the caller's area and one outside it. */
  unit: string;
  otherUnit: string;
  /** A peer group the caller created and one created by another account. */
  ownPeerGroup: string;
  otherPeerGroup: string;
  submission(unit: string): unknown;
  ctx: TestServer["ctx"];
  responsesInUnit: number;
}

interface Req {
  path: string;
  method?: string;
  body?: unknown;
}

type Outcome =
  | { status: 403 | 404; code: string }
  /** Allowed, and the answer holds only what lies inside the caller's scope. */
  | { restricted(body: any, fx: Fixture): void };

interface Probe {
  /** Where the name is: "path id", "query compare", "body targets.0.base"… */
  field: string;
  names: "round" | "unit" | "peer group" | "base round";
  request(fx: Fixture, outside: boolean): Req;
  outcome: Outcome;
}

type Entry = { caller: "analyst" | "device"; probes: Probe[] } | { none: string };

const roundOrOther = (fx: Fixture, outside: boolean) => (outside ? fx.otherRound : fx.round);
const unitOrOther = (fx: Fixture, outside: boolean) => (outside ? fx.otherUnit : fx.unit);
const notAssigned: Outcome = { status: 403, code: "round_not_assigned" };
const outOfScope: Outcome = { status: 403, code: "unit_out_of_scope" };

/** The probes every results-like GET shares: the round in the path, `compare=`, `unit=` (required). */
function resultProbes(suffix: string, extra = ""): Probe[] {
  return [
    {
      field: "path id",
      names: "round",
      request: (fx, out) => ({ path: `/api/rounds/${roundOrOther(fx, out)}${suffix}?unit=${fx.unit}${extra}` }),
      outcome: notAssigned,
    },
    {
      field: "query compare",
      names: "round",
      request: (fx, out) => ({ path: `/api/rounds/${fx.round}${suffix}?unit=${fx.unit}${extra}${out ? `&compare=${fx.otherRound}` : ""}` }),
      outcome: notAssigned,
    },
    {
      field: "query unit",
      names: "unit",
      request: (fx, out) => ({ path: `/api/rounds/${fx.round}${suffix}?unit=${unitOrOther(fx, out)}${extra}` }),
      outcome: outOfScope,
    },
    {
      field: "query unit (absent: the whole round)",
      names: "unit",
      request: (fx, out) => ({ path: `/api/rounds/${fx.round}${suffix}?${out ? "" : `unit=${fx.unit}`}${extra}` }),
      outcome: outOfScope,
    },
  ];
}

const target = (fx: Fixture, fields: Record<string, unknown>) => ({ targets: [{ kind: "value", node: "SIPAS", value: 80, unit: fx.unit, ...fields }] });
const peerGroup = (members: string[]) => ({ label: { vi: "Nhóm", en: "Group" }, registry: "2025", members });

const CROSS_SCOPE: Record<string, Entry> = {
  "GET /api/rounds/:id/results": { caller: "analyst", probes: resultProbes("/results") },
  "GET /api/rounds/:id/results/ranking": {
    caller: "analyst",
    probes: [
      ...resultProbes("/results/ranking", "&level=village"),
      {
        // Peer groups are shared definitions: ranking among another account's group is allowed, the rows stay in the area.
        field: "query peers",
        names: "peer group",
        request: (fx, out) => ({
          path: `/api/rounds/${fx.round}/results/ranking?unit=${fx.unit}&level=village&peers=${out ? fx.otherPeerGroup : fx.ownPeerGroup}`,
        }),
        outcome: {
          restricted(body, fx) {
            expect(body.rows.length).toBeGreaterThan(0);
            for (const row of body.rows) expect(fx.ctx.units.isWithin(row.unit.key, fx.unit), row.unit.key).toBe(true);
          },
        },
      },
    ],
  },
  "GET /api/rounds/:id/results/weakest": { caller: "analyst", probes: resultProbes("/results/weakest") },
  "GET /api/rounds/:id/targets": { caller: "analyst", probes: resultProbes("/targets") },
  "PUT /api/rounds/:id/targets": {
    caller: "analyst",
    probes: [
      ...resultProbes("/targets").map((p): Probe => ({ ...p, request: (fx, out) => ({ ...p.request(fx, out), method: "PUT", body: target(fx, {}) }) })),
      {
        field: "body targets.0.unit",
        names: "unit",
        request: (fx, out) => ({ path: `/api/rounds/${fx.round}/targets?unit=${fx.unit}`, method: "PUT", body: target(fx, { unit: unitOrOther(fx, out) }) }),
        outcome: outOfScope,
      },
      {
        field: "body targets.0.unit (absent: the whole round)",
        names: "unit",
        request: (fx, out) => ({
          path: `/api/rounds/${fx.round}/targets?unit=${fx.unit}`,
          method: "PUT",
          body: { targets: [{ kind: "value", node: "SIPAS", value: 80, ...(out ? {} : { unit: fx.unit }) }] },
        }),
        outcome: outOfScope,
      },
      {
        field: "body targets.0.base",
        names: "base round",
        request: (fx, out) => ({
          path: `/api/rounds/${fx.round}/targets?unit=${fx.unit}`,
          method: "PUT",
          body: { targets: [{ kind: "rule", level: "component", delta: 5, unit: fx.unit, base: roundOrOther(fx, out) }] },
        }),
        outcome: notAssigned,
      },
      {
        // A rank target may name any peer group (shared definitions); what is stored and shown stays the caller's.
        field: "body targets.0.peers",
        names: "peer group",
        request: (fx, out) => ({
          path: `/api/rounds/${fx.round}/targets?unit=${fx.unit}`,
          method: "PUT",
          body: { targets: [{ kind: "rank", node: "SIPAS", rank: 1, unit: fx.unit, peers: out ? fx.otherPeerGroup : fx.ownPeerGroup }] },
        }),
        outcome: {
          restricted(body, fx) {
            expect(body.unit.key).toBe(fx.unit);
            expect(body.targets.every((t: { unit?: string }) => t.unit === fx.unit)).toBe(true);
          },
        },
      },
    ],
  },
  "GET /api/rounds/:id/progress": {
    caller: "analyst",
    probes: [
      { field: "path id", names: "round", request: (fx, out) => ({ path: `/api/rounds/${roundOrOther(fx, out)}/progress` }), outcome: notAssigned },
      {
        field: "query level (every unit at that level)",
        names: "unit",
        request: (fx) => ({ path: `/api/rounds/${fx.round}/progress?level=village` }),
        outcome: {
          restricted(body, fx) {
            expect(body.byUnit.length).toBeGreaterThan(0);
            for (const row of body.byUnit) expect(fx.ctx.units.isWithin(row.unit.key, fx.unit), row.unit.key).toBe(true);
            expect(body.total.responses).toBe(fx.responsesInUnit);
          },
        },
      },
    ],
  },
  "GET /api/rounds/:id/export/:layout": {
    caller: "analyst",
    probes: [
      ...resultProbes("/export/results", "&format=json"),
      {
        field: "path id (codebook)",
        names: "round",
        request: (fx, out) => ({ path: `/api/rounds/${roundOrOther(fx, out)}/export/codebook` }),
        outcome: notAssigned,
      },
      // Raw layouts are responses of the whole round: never for an account limited to an area.
      {
        field: "path layout (raw responses of the whole round)",
        names: "unit",
        request: (fx, out) => ({ path: `/api/rounds/${fx.round}/export/${out ? "wide" : "codebook"}` }),
        outcome: { status: 403, code: "raw_export_whole_round" },
      },
    ],
  },
  "GET /api/peer-groups": { none: "peer groups are shared definitions of sets of units, readable by every analyst" },
  "GET /api/peer-groups/:id": {
    caller: "analyst",
    probes: [
      {
        field: "path id",
        names: "peer group",
        request: (fx, out) => ({ path: `/api/peer-groups/${out ? fx.otherPeerGroup : fx.ownPeerGroup}` }),
        outcome: { restricted: (body) => expect(body.peerGroup.members.length).toBeGreaterThan(0) },
      },
    ],
  },
  "PUT /api/peer-groups/:id": {
    caller: "analyst",
    probes: [
      {
        field: "path id",
        names: "peer group",
        request: (fx, out) => ({ path: `/api/peer-groups/${out ? fx.otherPeerGroup : fx.ownPeerGroup}`, method: "PUT", body: peerGroup([fx.unit]) }),
        outcome: { status: 403, code: "peer_group_not_owned" },
      },
      {
        // Members are only names of units to rank among; ranks are shown for the caller's area only.
        field: "body members.0",
        names: "unit",
        request: (fx, out) => ({ path: `/api/peer-groups/${fx.ownPeerGroup}`, method: "PUT", body: peerGroup([unitOrOther(fx, out)]) }),
        outcome: { restricted: (body) => expect(body.peerGroup.members).toHaveLength(1) },
      },
    ],
  },
  "GET /api/rounds/:id/offline-units": {
    caller: "device",
    probes: [
      // The enumerator app treats a round it is not assigned to as gone.
      {
        field: "path id",
        names: "round",
        request: (fx, out) => ({ path: `/api/rounds/${roundOrOther(fx, out)}/offline-units` }),
        outcome: { status: 404, code: "round_not_found" },
      },
      {
        field: "the round's units",
        names: "unit",
        request: (fx) => ({ path: `/api/rounds/${fx.round}/offline-units` }),
        outcome: {
          restricted(body, fx) {
            expect(body.units.length).toBeGreaterThan(0);
            for (const u of body.units) expect(fx.ctx.units.isWithin(u.key, fx.unit), u.key).toBe(true);
          },
        },
      },
    ],
  },
  "POST /api/sync": {
    caller: "device",
    probes: [
      {
        field: "body round",
        names: "round",
        request: (fx, out) => ({ path: "/api/sync", method: "POST", body: { round: roundOrOther(fx, out), responses: [fx.submission(fx.unit)] } }),
        outcome: { status: 404, code: "round_not_found" },
      },
      {
        // One item outside the area is refused on its own; the batch is answered.
        field: "body responses.0.unit",
        names: "unit",
        request: (fx, out) => ({ path: "/api/sync", method: "POST", body: { round: fx.round, responses: [fx.submission(out ? fx.otherUnit : fx.unit)] } }),
        outcome: {
          restricted: (body) =>
            expect(body.results[0]).toMatchObject({ status: "invalid", error: { errors: [{ question: "unit", code: "unit_not_in_scope" }] } }),
        },
      },
    ],
  },
  "GET /api/par/rounds": {
    none: "PAR INDEX rounds assess provinces, outside the commune this fixture assigns; round and unit scope of every /api/par route are probed in test/server/par-index.test.ts",
  },
  "GET /api/par/:round": {
    none: "PAR INDEX rounds assess provinces, outside the commune this fixture assigns; round and unit scope of every /api/par route are probed in test/server/par-index.test.ts",
  },
  "GET /api/par/:round/assessments/:unit/:group": {
    none: "PAR INDEX rounds assess provinces, outside the commune this fixture assigns; round and unit scope of every /api/par route are probed in test/server/par-index.test.ts",
  },
  "PUT /api/par/:round/assessments/:unit/:group": {
    none: "PAR INDEX rounds assess provinces, outside the commune this fixture assigns; round and unit scope of every /api/par route are probed in test/server/par-index.test.ts",
  },
  "POST /api/par/:round/assessments/:unit/:group/transition": {
    none: "PAR INDEX rounds assess provinces, outside the commune this fixture assigns; round and unit scope of every /api/par route are probed in test/server/par-index.test.ts",
  },
  "GET /api/par/:round/inputs/:unit": {
    none: "PAR INDEX rounds assess provinces, outside the commune this fixture assigns; round and unit scope of every /api/par route are probed in test/server/par-index.test.ts",
  },
  "PUT /api/par/:round/inputs/:unit": {
    none: "PAR INDEX rounds assess provinces, outside the commune this fixture assigns; round and unit scope of every /api/par route are probed in test/server/par-index.test.ts",
  },
  "GET /api/par/:round/results": {
    none: "PAR INDEX rounds assess provinces, outside the commune this fixture assigns; round and unit scope of every /api/par route are probed in test/server/par-index.test.ts",
  },
  "GET /api/par/:round/below-maximum": {
    none: "PAR INDEX rounds assess provinces, outside the commune this fixture assigns; round and unit scope of every /api/par route are probed in test/server/par-index.test.ts",
  },
  "POST /api/par/:round/what-if": {
    none: "PAR INDEX rounds assess provinces, outside the commune this fixture assigns; round and unit scope of every /api/par route are probed in test/server/par-index.test.ts",
  },
  "GET /api/par/:round/targets": {
    none: "PAR INDEX rounds assess provinces, outside the commune this fixture assigns; round and unit scope of every /api/par route are probed in test/server/par-index.test.ts",
  },
  "PUT /api/par/:round/targets": {
    none: "PAR INDEX rounds assess provinces, outside the commune this fixture assigns; round and unit scope of every /api/par route are probed in test/server/par-index.test.ts",
  },
  "POST /api/devices": { none: "names no round or unit: the token carries the account's own scope" },
  "POST /api/api-tokens": { none: "names no round or unit: the token carries its analyst's own scope (test/server/api-tokens.test.ts)" },
  "GET /api/api-tokens": { none: "names no round or unit: lists the caller's own tokens" },
  "DELETE /api/api-tokens/:id": { none: "names no round or unit: revokes one of the caller's own tokens" },
  "POST /api/odk/settings": { none: "names no round or unit: the device token it makes carries the account's own scope" },
  "POST /api/auth/logout": { none: "names no round or unit" },
  "POST /api/auth/password": { none: "names no round or unit" },
};

describe.each(DIALECTS)("cross-scope parameters on %s", (dialect) => {
  const skip = dialect === "postgres" && !postgresAvailable;
  let server: TestServer;
  let fx: Fixture;
  const headers: Partial<Record<"analyst" | "device", Record<string, string>>> = {};

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(dialect);
    const sipas = (await latestEdition(server.ctx.db.kysely, "sipas-2022"))!.instrument;
    const round = await server.createRound("sipas-2022", { minCellSize: 1 });
    const otherRound = await server.createRound("sipas-2022", { minCellSize: 1 });
    const villages = demoUnits(server.ctx, "village");
    const communeOf = (v: string) => server.ctx.units.ancestorAt(v, "commune")!.key;
    const unit = communeOf(villages[0]!);
    const otherUnit = communeOf(villages.find((v) => communeOf(v) !== unit)!);
    const inUnit = villages.filter((v) => communeOf(v) === unit);
    const inOther = villages.filter((v) => communeOf(v) === otherUnit);
    for (const r of [round, otherRound])
      await submitAll(server, r, [...randomSubmissions(sipas, inUnit, ["citizen"], 8, 3), ...randomSubmissions(sipas, inOther, ["citizen"], 20, 4)]);
    const admin = await server.createUser("admin");
    const adminHeaders = await server.signIn(admin.username, admin.password);
    const analyst = await server.createUser("analyst", { unitScope: [unit], rounds: [round] });
    headers.analyst = await server.signIn(analyst.username, analyst.password);
    headers.device = await server.deviceHeaders({ unitScope: [unit], rounds: [round] });
    const ownPeerGroup = "nhom-rieng";
    const otherPeerGroup = "nhom-nguoi-khac";
    expect((await server.api(`/api/peer-groups/${ownPeerGroup}`, { method: "PUT", json: peerGroup([unit, otherUnit]), headers: headers.analyst })).status).toBe(
      200,
    );
    expect((await server.api(`/api/peer-groups/${otherPeerGroup}`, { method: "PUT", json: peerGroup([unit, otherUnit]), headers: adminHeaders })).status).toBe(
      200,
    );
    let seq = 0;
    fx = {
      round,
      otherRound,
      unit,
      otherUnit,
      ownPeerGroup,
      otherPeerGroup,
      ctx: server.ctx,
      responsesInUnit: 8,
      submission: (u) =>
        makeSubmission(sipas, server.ctx.units.childrenOf(u).find((v) => v.level === "village")?.key ?? u, "citizen", seededRng(++seq), {
          channel: "enumerator",
        }),
    };
  }, 120_000);
  afterAll(async () => {
    if (!skip) await server.close();
  });

  it.skipIf(skip)("lists every route an analyst or an enumerator may call", () => {
    const routes = routeDeclarations(createApp(server.ctx));
    const scoped = routes.filter((r) => Array.isArray(r.access) && (r.access.includes("analyst") || r.access.includes("enumerator")));
    expect(scoped.map((r) => `${r.method} ${r.path}`).filter((key) => !(key in CROSS_SCOPE))).toEqual([]);
    expect(Object.keys(CROSS_SCOPE).filter((key) => !scoped.some((r) => `${r.method} ${r.path}` === key))).toEqual([]);
  });

  it.skipIf(skip)(
    "refuses, or restricts to the scope, every parameter that names a round, a unit, a peer group or a base round",
    async () => {
      const failures: string[] = [];
      const send = async (caller: "analyst" | "device", req: Req) => {
        const write = req.body !== undefined;
        const res = await fetch(server.url + req.path, {
          method: req.method ?? "GET",
          headers: { ...headers[caller], ...(write ? { "content-type": "application/json" } : {}) },
          ...(write ? { body: JSON.stringify(req.body) } : {}),
        });
        const text = await res.text();
        let body: any = text;
        try {
          body = JSON.parse(text);
        } catch {
          /* an export file */
        }
        return { status: res.status, body };
      };
      for (const [route, entry] of Object.entries(CROSS_SCOPE)) {
        if ("none" in entry) continue;
        for (const probe of entry.probes) {
          const name = `${route} ${probe.field} (${probe.names})`;
          // Inside the scope the same request is answered: the refusal below is the scope's doing.
          const inside = await send(entry.caller, probe.request(fx, false));
          if (inside.status >= 300) failures.push(`${name}: inside the scope ${inside.status} ${JSON.stringify(inside.body).slice(0, 200)}`);
          const outside = await send(entry.caller, probe.request(fx, true));
          if ("restricted" in probe.outcome) {
            if (outside.status !== 200) failures.push(`${name}: ${outside.status}, expected 200 restricted to the scope`);
            else {
              try {
                probe.outcome.restricted(outside.body, fx);
              } catch (error) {
                failures.push(`${name}: ${(error as Error).message}`);
              }
            }
          } else if (outside.status !== probe.outcome.status || outside.body?.error?.code !== probe.outcome.code) {
            failures.push(`${name}: ${outside.status} ${outside.body?.error?.code}, expected ${probe.outcome.status} ${probe.outcome.code}`);
          } else if (!outside.body.error.message_vi || !outside.body.error.message_en) {
            failures.push(`${name}: refusal without a message in both languages`);
          }
        }
      }
      expect(failures).toEqual([]);
    },
    180_000,
  );
});
