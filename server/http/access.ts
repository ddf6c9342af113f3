/**
 * Who may call what. Every API route declares its access with `allow(...)`; `checkDeclarations`
 * refuses to build an app that has an undeclared route, and the authorization-matrix test walks
 * the same declarations, so a new endpoint cannot be forgotten.
 *
 * Principals: a signed-in user (session cookie; every write also needs the CSRF header), or an
 * enumerator device (Authorization: Bearer <device token>; no cookie, so no CSRF risk).
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv } from "../app-context.js";
import { Problem } from "./problem.js";
import { findDevice, findSession, toUser, type Role, type User } from "../accounts/repository.js";

export const SESSION_COOKIE = "chiso_session";
export const CSRF_HEADER = "x-csrf-token";

export type Principal = { user: User; via: "session"; csrf: string } | { user: User; via: "device"; deviceId: string };

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
  if (bearer) {
    const device = await findDevice(db, bearer);
    if (device && !device.revoked_at && device.disabled === 0) found = { user: toUser(device), via: "device", deviceId: device.device_id };
  } else {
    const token = getCookie(c, SESSION_COOKIE);
    if (token) {
      const session = await findSession(db, token);
      if (session && Date.parse(session.expires_at) > Date.now() && session.disabled === 0) {
        found = { user: toUser(session), via: "session", csrf: session.csrf_token };
      }
    }
  }
  c.set("principal", found);
  return found;
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function allow(access: Access): MiddlewareHandler<AppEnv> {
  const handler: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (access === "public" || access === "token") return next();
    const who = await principal(c);
    if (!who) throw new Problem("unauthenticated");
    if (!access.includes(who.user.role)) throw new Problem("forbidden");
    if (who.via === "session" && UNSAFE.has(c.req.method) && c.req.header(CSRF_HEADER) !== who.csrf) {
      throw new Problem("forbidden", undefined, { reason: "csrf" }, {
        vi: "Thiếu hoặc sai mã chống giả mạo yêu cầu (CSRF). Hãy tải lại trang.",
        en: "Missing or wrong anti-forgery (CSRF) token. Reload the page.",
      });
    }
    return next();
  };
  return Object.assign(handler, { [ACCESS]: access }) as Declared;
}

/** The signed-in user, for handlers behind `allow([...roles])`. */
export function currentUser(c: Context<AppEnv>): User {
  const who = c.var.principal;
  if (!who) throw new Problem("unauthenticated");
  return who.user;
}

export function canSeeRound(user: User, roundId: string): boolean {
  return user.role === "admin" || user.rounds.length === 0 || user.rounds.includes(roundId);
}

export const ANALYSTS = ["admin", "analyst"] as const;

/**
 * For results and exports of round `:id`: the round must be one the user may see, and an analyst
 * limited to a unit subtree must name a unit inside it (`unit=`); raw exports of a whole round are
 * then refused, as are raw exports of invitation rounds to anyone but administrators.
 * "round" checks only that the round is visible (progress counts, the codebook).
 */
export function roundAccess(kind: "round" | "results" | "raw" = "results"): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = currentUser(c);
    const roundId = c.req.param("id") ?? "";
    if (!canSeeRound(user, roundId)) throw new Problem("round_not_found");
    const ctx = c.var.ctx;
    if (kind === "raw" && user.role !== "admin") {
      const round = await ctx.db.kysely.selectFrom("rounds").select("modes_json").where("id", "=", roundId).executeTakeFirst();
      if (round && (JSON.parse(round.modes_json) as string[]).includes("invitation")) {
        throw new Problem("forbidden", undefined, undefined, {
          vi: "Chỉ quản trị viên được xuất phiếu gốc của đợt khảo sát theo thư mời.",
          en: "Only administrators may export raw responses of an invitation round.",
        });
      }
    }
    if (kind !== "round" && user.unitScope.length > 0) {
      const unit = c.req.query("unit");
      const inside = unit ? user.unitScope.some((s) => ctx.units.isWithin(unit, s)) : false;
      if (!inside || kind === "raw") {
        throw new Problem("forbidden", undefined, { unitScope: user.unitScope }, {
          vi: "Tài khoản chỉ được xem kết quả trong địa bàn được phân công; hãy chọn đơn vị thuộc địa bàn đó (unit=…).",
          en: "This account may only see results within its assigned area; choose a unit inside it (unit=…).",
        });
      }
    }
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
