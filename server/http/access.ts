/**
 * Who may call what. Every API route declares its access with `allow(...)`; `checkDeclarations`
 * refuses to build an app that has an undeclared route, and the authorization-matrix test walks
 * the same declarations, so a new endpoint cannot be forgotten.
 *
 * Principals: a signed-in user (session cookie; every write also needs the CSRF header), or an
 * enumerator device (Authorization: Bearer <device token>; no cookie, so no CSRF risk), or an
 * analyst's read-only API token (Authorization: Bearer chiso_at_…), let only into the GET routes of
 * API_TOKEN_ROUTES (docs/api.md). A session whose password must change may only change it and sign
 * out (403 password_change_required).
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../app-context.js";
import { Problem } from "./problem.js";
import { resumeDevice, resumeSession, type Role, type User } from "../accounts/repository.js";
import { isApiToken, resumeApiToken } from "../accounts/api-tokens.js";
import { sessionPolicy } from "../accounts/policy.js";
import { isHttps } from "../config.js";
import type { UnitDirectory } from "../units/directory.js";
import { fieldError } from "../../shared/errors.js";

/** Over HTTPS the cookie is `__Host-chiso_session`: Secure, Path=/, no Domain, so no other host or path can plant or read it. */
export const SESSION_COOKIE = "chiso_session";

export function sessionToken(c: Context<AppEnv>): string | undefined {
  return isHttps() ? getCookie(c, SESSION_COOKIE, "host") : getCookie(c, SESSION_COOKIE);
}

export function setSessionCookie(c: Context<AppEnv>, token: string): void {
  const options = { httpOnly: true, sameSite: "Lax", path: "/", maxAge: sessionPolicy().absoluteMs / 1000 } as const;
  if (isHttps()) setCookie(c, SESSION_COOKIE, token, { ...options, secure: true, prefix: "host" });
  else setCookie(c, SESSION_COOKIE, token, { ...options, secure: new URL(c.req.url).protocol === "https:" });
}

export function clearSessionCookie(c: Context<AppEnv>): void {
  if (isHttps()) deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true, prefix: "host" });
  else deleteCookie(c, SESSION_COOKIE, { path: "/" });
}
export const CSRF_HEADER = "x-csrf-token";

export type Principal =
  | { user: User; via: "session"; csrf: string }
  | { user: User; via: "device"; deviceId: string }
  | { user: User; via: "api-token"; tokenId: string };

/**
 * The only routes an API token may call: reading results and exports. Everything else, and every
 * write, is refused with 403 even where the token's analyst could do it with a session.
 */
export const API_TOKEN_ROUTES: ReadonlySet<string> = new Set([
  "GET /api/rounds/:id/results",
  "GET /api/rounds/:id/results/ranking",
  "GET /api/rounds/:id/results/weakest",
  "GET /api/rounds/:id/targets",
  "GET /api/rounds/:id/progress",
  "GET /api/rounds/:id/export/:layout",
  "GET /api/par/:round/results",
  "GET /api/par/:round/below-maximum",
]);

/** "public": anyone; "token": the URL carries its own credential (invitations); else the roles allowed. */
export type Access = "public" | "token" | readonly Role[];

const ACCESS = Symbol("access");
type Declared = MiddlewareHandler<AppEnv> & { [ACCESS]: Access };

export function accessOf(handler: unknown): Access | undefined {
  return (handler as Partial<Declared>)[ACCESS];
}

/** Resolves the caller once per request (cached on the context). */
export async function principal(c: Context<AppEnv>): Promise<Principal | null> {
  if (c.var.principal !== undefined) return c.var.principal;
  const db = c.var.ctx.db.kysely;
  let found: Principal | null = null;
  const bearer = c.req.header("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (bearer && isApiToken(bearer)) {
    const token = await resumeApiToken(db, bearer);
    if (token) found = { user: token.user, via: "api-token", tokenId: token.tokenId };
  } else if (bearer) {
    const device = await resumeDevice(db, bearer);
    if (device) found = { user: device.user, via: "device", deviceId: device.deviceId };
  } else {
    const token = sessionToken(c);
    const session = token ? await resumeSession(db, token) : null;
    if (session) found = { user: session.user, via: "session", csrf: session.csrf };
  }
  c.set("principal", found);
  return found;
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** `duringPasswordChange`: the route stays open to a session whose password must change (changing it, signing out). */
export function allow(access: Access, options: { duringPasswordChange?: boolean } = {}): MiddlewareHandler<AppEnv> {
  const handler: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (access === "public" || access === "token") return next();
    const who = await principal(c);
    if (!who) throw unauthenticated(c);
    if (who.via !== "device" && who.user.mustChangePassword && !options.duringPasswordChange) throw new Problem("password_change_required");
    if (!access.includes(who.user.role)) throw new Problem("forbidden");
    // HEAD is answered by the GET handler (Hono), so it is a read too.
    if (who.via === "api-token" && !((c.req.method === "GET" || c.req.method === "HEAD") && API_TOKEN_ROUTES.has(`GET ${c.req.routePath}`))) {
      throw new Problem("api_token_read_only");
    }
    if (who.via === "session" && UNSAFE.has(c.req.method) && c.req.header(CSRF_HEADER) !== who.csrf) {
      throw new Problem("csrf_token_wrong");
    }
    return next();
  };
  return Object.assign(handler, { [ACCESS]: access }) as Declared;
}

/** 401; for an API token that no longer works, says so, with the challenge HTTP clients expect. */
function unauthenticated(c: Context<AppEnv>): Problem {
  const bearer = c.req.header("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!bearer || !isApiToken(bearer)) return new Problem("unauthenticated");
  c.header("www-authenticate", 'Bearer realm="chiso", error="invalid_token"');
  return new Problem("api_token_invalid");
}

/** The signed-in user, for handlers behind `allow([...roles])`. */
export function currentUser(c: Context<AppEnv>): User {
  const who = c.var.principal;
  if (!who) throw new Problem("unauthenticated");
  return who.user;
}

// ---------------------------------------------------------------- analyst scope (docs/security.md, "Analyst scope")

export function canSeeRound(user: User, roundId: string): boolean {
  return user.role === "admin" || user.rounds.length === 0 || user.rounds.includes(roundId);
}

/** Whether the caller may see values computed over a whole round: administrators and analysts without a unit subtree. */
export function seesWholeRound(user: User): boolean {
  return user.role === "admin" || user.unitScope.length === 0;
}

/** Whether a unit lies inside the caller's area (always true for a caller who sees whole rounds). */
export function unitInScope(units: Pick<UnitDirectory, "isWithin">, user: User, unitKey: string): boolean {
  return seesWholeRound(user) || user.unitScope.some((s) => units.isWithin(unitKey, s));
}

/** A round or unit named by a request, with the path parameter, query parameter or body field that names it. */
export interface Named {
  field: string;
  value: string | null | undefined;
}

/**
 * Refuses (403 round_not_assigned) when any round named anywhere in a request (path, query, body:
 * `:id`, `compare=`, a target's `base`…) is not one of the caller's rounds. Absent values are skipped.
 */
export function requireRounds(user: User, named: readonly Named[]): void {
  for (const { field, value } of named) {
    if (!value || canSeeRound(user, value)) continue;
    const text = {
      vi: `Tài khoản không được phân công xem đợt khảo sát "${value}" (${field}).`,
      en: `This account is not assigned to survey round "${value}" (${field}).`,
    };
    throw new Problem("round_not_assigned", [fieldError(field, "round_not_assigned", text)], { field, round: value }, text);
  }
}

/**
 * Refuses (403 unit_out_of_scope) a unit outside the caller's area. An absent unit means "the whole
 * round", which only a caller who sees whole rounds may ask for.
 */
export async function requireUnits(units: UnitDirectory, user: User, named: readonly Named[]): Promise<void> {
  if (seesWholeRound(user)) return;
  for (const { field, value } of named) {
    // Load the unit (and its ancestors) first: one added by another process is not cached yet.
    if (value && (await units.get(value)) && unitInScope(units, user, value)) continue;
    const text = value
      ? {
          vi: `Đơn vị "${value}" (${field}) nằm ngoài địa bàn được phân công cho tài khoản.`,
          en: `Unit "${value}" (${field}) is outside the area assigned to this account.`,
        }
      : {
          vi: `Tài khoản chỉ được xem và sửa trong địa bàn được phân công; hãy chọn đơn vị thuộc địa bàn đó (${field}=…).`,
          en: `This account may only see and change results within its assigned area; choose a unit inside it (${field}=…).`,
        };
    throw new Problem("unit_out_of_scope", [fieldError(field, "unit_out_of_scope", text)], { field, unit: value ?? null, unitScope: user.unitScope }, text);
  }
}

export const ANALYSTS = ["admin", "analyst"] as const;

/**
 * For results and exports of round `:id`: every round the request names (`:id`, `compare=`) must be
 * one the user may see, and an analyst limited to a unit subtree must name a unit inside it
 * (`unit=`); raw exports of a whole round are then refused, as are raw exports of invitation rounds
 * to anyone but administrators. "round" checks only the rounds (progress, restricted to the caller's
 * area by its handler; the codebook).
 */
export function roundAccess(kind: "round" | "results" | "raw" = "results"): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = currentUser(c);
    const roundId = c.req.param("id") ?? "";
    requireRounds(user, [
      { field: "id", value: roundId },
      { field: "compare", value: c.req.query("compare") },
    ]);
    const ctx = c.var.ctx;
    if (kind === "raw" && user.role !== "admin") {
      const round = await ctx.db.kysely.selectFrom("rounds").select("modes_json").where("id", "=", roundId).executeTakeFirst();
      if (round && (JSON.parse(round.modes_json) as string[]).includes("invitation")) {
        throw new Problem("raw_export_admins_only");
      }
    }
    if (kind === "raw" && !seesWholeRound(user)) {
      throw new Problem("raw_export_whole_round", undefined, { unitScope: user.unitScope });
    }
    if (kind === "results") await requireUnits(ctx.units, user, [{ field: "unit", value: c.req.query("unit") }]);
    return next();
  };
}

export interface RouteDeclaration {
  method: string;
  path: string;
  access: Access;
}

/**
 * Lists the app's routes with their declared access, and throws when an API route has none.
 * Hono keeps middleware and handlers of one route as separate entries with the same path.
 */
export function checkDeclarations(routes: ReadonlyArray<{ method: string; path: string; handler: unknown }>): RouteDeclaration[] {
  const declared = new Map<string, Access>();
  const endpoints = new Map<string, { method: string; path: string }>();
  for (const r of routes) {
    if (!r.path.startsWith("/api/") || r.method === "ALL") continue;
    const key = `${r.method} ${r.path}`;
    const access = accessOf(r.handler);
    if (access) declared.set(key, access);
    endpoints.set(key, { method: r.method, path: r.path });
  }
  const missing = [...endpoints.keys()].filter((k) => !declared.has(k));
  if (missing.length) throw new Error(`routes without an access declaration: ${missing.join(", ")}`);
  return [...endpoints.entries()].map(([key, e]) => ({ ...e, access: declared.get(key)! }));
}
