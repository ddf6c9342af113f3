/**
 * The authorization matrix: every API route, as declared in the code, called by every kind of
 * caller (anonymous, enumerator device, enumerator, analyst, administrator). A caller the route
 * allows is never refused by the access layer (no 401/403); any other gets 401 (anonymous) or 403.
 * The route list comes from the app itself, so a new endpoint cannot be left out.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createApp, routeDeclarations } from "../../server/app.js";
import type { Access } from "../../server/http/access.js";
import type { Role } from "../../server/accounts/repository.js";
import { demoUnits } from "../helpers/responses.js";

type Caller = "anonymous" | "device" | Role;
const CALLERS: Caller[] = ["anonymous", "device", "enumerator", "analyst", "admin"];

function allowed(access: Access, caller: Caller): boolean {
  if (access === "public" || access === "token") return true;
  if (caller === "anonymous") return false;
  return access.includes(caller === "device" ? "enumerator" : caller);
}

describe("authorization matrix", () => {
  let server: TestServer;
  const params: Record<string, string> = {};
  const headersCache = new Map<Caller, Record<string, string>>();

  beforeAll(async () => {
    server = await startTestServer("sqlite");
    params.id = await server.createRound("par-leaders-2022", { modes: ["public", "invitation", "enumerator"] });
    params.key = demoUnits(server.ctx, "agency")[0]!;
    params.layout = "codebook";
    const admin = await server.createUser("admin");
    const adminHeaders = await server.signIn(admin.username, admin.password);
    await server.api(`/api/rounds/${params.id}/invitations`, { json: { invitees: [{ name: "Lê Văn Tám", email: "tam@example.vn", group: "so", agency: params.key }] }, headers: adminHeaders });
    const links = await (await fetch(`${server.url}/api/rounds/${params.id}/invitations/links.csv`, { headers: adminHeaders })).text();
    params.token = links.match(/\/i\/([A-Za-z0-9_-]+)/)![1]!;
    params.peerGroupId = "mien-trung";
  }, 60_000);
  afterAll(async () => server?.close());

  async function headersFor(caller: Caller): Promise<Record<string, string>> {
    const hit = headersCache.get(caller);
    if (hit) return hit;
    let headers: Record<string, string> = {};
    if (caller === "device") headers = await server.deviceHeaders();
    else if (caller !== "anonymous") {
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
        const expectAllowed = allowed(route.access, caller);
        // An allowed caller may still get 4xx for the empty body, never a refusal or a server error.
        if (expectAllowed && (refused || res.status >= 500)) failures.push(`${route.method} ${route.path} as ${caller}: ${res.status}, expected access`);
        if (!expectAllowed && res.status !== (caller === "anonymous" ? 401 : 403)) failures.push(`${route.method} ${route.path} as ${caller}: ${res.status}, expected ${caller === "anonymous" ? 401 : 403}`);
        // Signing out ends the session; the next call as this caller signs in again.
        if (route.path === "/api/auth/logout") headersCache.delete(caller);
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
