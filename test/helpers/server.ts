/** Starts a real chiso server (real port, real database) for integration tests. */
import path from "node:path";
import { randomBytes } from "node:crypto";
import { openContext, prepareDatabase } from "../../server/bootstrap.js";
import { listen } from "../../server/serve.js";
import type { AppContext } from "../../server/app-context.js";
import { REPO_ROOT } from "../../server/config.js";
import { ensureDemoUnits, DEMO_PROVINCE } from "../../server/demo/seed.js";
import { insertRound, type NewRound } from "../../server/rounds/repository.js";
import { latestEdition } from "../../server/instruments/repository.js";
import { createPreparedDatabase, type TestDialect } from "./databases.js";
import { defaultRateLimits } from "../../server/http/rate-limit.js";
import { createDeviceToken, createUser, type Role } from "../../server/accounts/repository.js";
import { SCRYPT_COST, type ScryptCost } from "../../server/lib/secrets.js";

/** The cost new password hashes get in production (test/server/secrets.test.ts holds it at N = 2^15). */
const PRODUCTION_SCRYPT_COST: ScryptCost = { ...SCRYPT_COST };
/**
 * Test servers hash and verify passwords hundreds of times a run, each at production's ~0.1 s of a
 * core: here they use the same scrypt at a small cost. A test of the cost itself uses
 * withProductionScrypt.
 */
Object.assign(SCRYPT_COST, { N: 2 ** 10, r: 8, p: 1 } satisfies ScryptCost);

/** Runs `fn` with production's scrypt cost for new hashes and upgrades, then goes back to the test cost. */
export async function withProductionScrypt<T>(fn: () => Promise<T>): Promise<T> {
  const testCost = { ...SCRYPT_COST };
  Object.assign(SCRYPT_COST, PRODUCTION_SCRYPT_COST);
  try {
    return await fn();
  } finally {
    Object.assign(SCRYPT_COST, testCost);
  }
}

export interface TestServer {
  ctx: AppContext;
  url: string;
  dialect: TestDialect;
  /** fetch relative to the server, JSON in and out. */
  api(pathname: string, init?: RequestInit & { json?: unknown }): Promise<{ status: number; body: any; headers: Headers }>;
  createRound(editionId: string, overrides?: Partial<NewRound>): Promise<string>;
  count(table: "responses" | "answers" | "rollups" | "cell_totals" | "invitations"): Promise<number>;
  /** Creates an account and returns its id, with a random password that meets the password policy. */
  createUser(role: Role, options?: { username?: string; unitScope?: string[]; rounds?: string[] }): Promise<{ username: string; password: string; id: string }>;
  /** Signs in and returns the headers a browser would send (cookie, and the CSRF header for writes). */
  signIn(username: string, password: string): Promise<Record<string, string>>;
  /**
   * Signs in a new account of `role` and sends its cookie and CSRF header with every later
   * `api()` call that does not set its own; returns those headers for plain `fetch` calls.
   */
  authenticate(role: Role): Promise<Record<string, string>>;
  defaultHeaders: Record<string, string>;
  /** An enumerator device token (Authorization header) for a new enumerator account. */
  deviceHeaders(options?: { unitScope?: string[]; rounds?: string[] }): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export { DEMO_PROVINCE };

let roundSeq = 0;
let userSeq = 0;

export async function startTestServer(dialect: TestDialect, options: { clientDir?: string | null } = {}): Promise<TestServer> {
  const database = await createPreparedDatabase(dialect);
  const ctx = await openContext({
    databaseUrl: database.databaseUrl,
    sqlitePath: database.sqlitePath,
    clientDir: options.clientDir ?? null,
    minCellSize: 5,
  });
  // Tests send far more than a person would; the rate-limit test sets its own limits.
  ctx.rateLimits = defaultRateLimits({ CHISO_RATE_PER_ADDRESS: "1000000", CHISO_RATE_PER_ROUND: "1000000" });
  if (database.fromTemplate) {
    await ctx.units.load();
  } else {
    await prepareDatabase(ctx, path.join(REPO_ROOT, "surveys"), { quiet: true });
    await ensureDemoUnits(ctx);
  }
  const server = await listen(ctx, 0, "127.0.0.1");

  const api: TestServer["api"] = async (pathname, init = {}) => {
    const { json, ...rest } = init;
    const res = await fetch(server.url + pathname, {
      ...rest,
      ...(json !== undefined ? { body: JSON.stringify(json), method: rest.method ?? "POST" } : {}),
      headers: {
        ...self.defaultHeaders,
        ...(json !== undefined ? { "content-type": "application/json" } : {}),
        ...(rest.headers as Record<string, string> | undefined),
      },
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body, headers: res.headers };
  };

  const self: TestServer = {
    ctx,
    url: server.url,
    defaultHeaders: {},
    async authenticate(role) {
      const user = await self.createUser(role);
      self.defaultHeaders = await self.signIn(user.username, user.password);
      return self.defaultHeaders;
    },
    dialect,
    api,
    async createRound(editionId, overrides = {}) {
      const edition = (await latestEdition(ctx.db.kysely, editionId))!;
      const id = overrides.id ?? `t-${editionId}-${++roundSeq}`;
      await insertRound(ctx.db.kysely, {
        id,
        title: { vi: `Đợt thử ${id}`, en: `Test round ${id}` },
        edition: editionId,
        version: edition.instrument.version,
        status: "open",
        periodStart: null,
        periodEnd: null,
        registry: "2025",
        scope: [DEMO_PROVINCE],
        groups: edition.instrument.respondentGroups.map((g) => g.code),
        modes: ["public", "enumerator"],
        minCellSize: 5,
        ...overrides,
      } as never);
      return id;
    },
    async count(table) {
      const row = await ctx.db.kysely
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async createUser(role, options = {}) {
      const username = options.username ?? `${role}-${++userSeq}`;
      const password = randomBytes(15).toString("base64url");
      const user = await createUser(ctx.db.kysely, {
        username,
        displayName: username,
        role,
        password,
        unitScope: options.unitScope ?? [],
        rounds: options.rounds ?? [],
      });
      return { username, password, id: user.id };
    },
    async signIn(username, password) {
      const res = await fetch(server.url + "/api/auth/login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username, password }),
      });
      if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { csrfToken: string };
      const cookie = res.headers
        .getSetCookie()
        .map((c) => c.split(";")[0])
        .join("; ");
      return { cookie, "x-csrf-token": body.csrfToken };
    },
    async deviceHeaders(options = {}) {
      const username = `enumerator-${++userSeq}`;
      const user = await createUser(ctx.db.kysely, {
        username,
        displayName: username,
        role: "enumerator",
        password: `${username}-password`,
        unitScope: options.unitScope ?? [],
        rounds: options.rounds ?? [],
      });
      const device = await createDeviceToken(ctx.db.kysely, user.id, "test tablet");
      return { authorization: `Bearer ${device.token}` };
    },
    async close() {
      await server.close();
      await ctx.db.close();
      await database.drop();
    },
  };
  return self;
}
