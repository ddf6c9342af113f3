/**
 * The anonymity guarantee of invitation rounds (docs/anonymity.md), tried as an administrator and
 * a database administrator would: a leader round with invitees in several groups and agencies,
 * links opened and answered on different days and in different orders; then every table, the
 * SQLite file and its write-ahead log before a checkpoint, PostgreSQL's system columns (xmin,
 * ctid) and its write-ahead log (pg_walinspect, where the server allows it), the server's output
 * and the admin API are read, and the joins that linked answers to invitees before are tried.
 * None may link better than chance among the invitees of a published cell.
 */
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sql } from "kysely";
import pg from "pg";
import { DIALECTS, PG_ADMIN_URL, postgresAvailable } from "../helpers/databases.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { demoUnits, instrumentOf, makeSubmission } from "../helpers/responses.js";
import { anonymousAnswer, openInvitation, type OpenedInvitation } from "../helpers/invitee.js";
import { seededRng, type Rng } from "../../server/demo/random.js";
import type { Instrument } from "../../shared/instrument/schema.js";
import type { UnitDirectory } from "../../server/units/directory.js";
import type { Cell } from "../../server/results/counts.js";
import { complementarySuppression } from "../../server/results/suppression.js";

/** Days far from today, so that no other row (imports, sessions) can hold them by accident. */
const DAYS = ["2037-02-10", "2037-02-11", "2037-02-12", "2037-02-13"];
const GROUPS = ["so", "phong", "huyen"];
const PER_GROUP = 6;

function shuffle<T>(items: T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe.each(DIALECTS)("anonymity of invitation responses on %s", (dialect) => {
  const skip = dialect === "postgres" && !postgresAvailable;
  let server: TestServer;
  let admin: Record<string, string>;
  let leaders: Instrument;
  let round: string;
  /** token → the invitee's group and agency, as imported. */
  const invitees = new Map<string, { name: string; email: string; group: string; agency: string }>();
  /** What only the test knows: which token gave which response. */
  const truth = new Map<string, string>();
  const receipts: string[] = [];
  const walSnapshots: Buffer[] = [];
  const printed: string[] = [];
  let walStart: string | null = null;
  let walEnd: string | null = null;
  let walInspect: string | null = null;
  /** The connection holding a replication slot that keeps the scenario's WAL, where the server allows one. */
  let walSlot: pg.Client | null = null;
  /** PostgreSQL: each invitee row's transaction id and physical position right after the import. */
  let importedRows: Array<{ token: string; xmin: string; ctid: string }> = [];

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(dialect);
    // Explicit headers: the invitees' calls must carry no session, as an invitee's browser would not.
    const account = await server.createUser("admin");
    admin = await server.signIn(account.username, account.password);
    leaders = await instrumentOf(server.ctx, "par-leaders-2022");
    round = await server.createRound("par-leaders-2022", { modes: ["invitation"], groups: ["hdnd", ...GROUPS] });
    const agencies = demoUnits(server.ctx, "agency").slice(0, 3);
    const list = GROUPS.flatMap((group, g) =>
      Array.from({ length: PER_GROUP }, (_, i) => ({
        name: `Lãnh đạo ${g}-${i}`,
        email: `ld${g}.${i}@example.vn`,
        group,
        agency: agencies[i % agencies.length]!,
      })),
    );
    const imported = await server.api(`/api/rounds/${round}/invitations`, { json: { invitees: list }, headers: admin });
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    const links = await (await fetch(`${server.url}/api/rounds/${round}/invitations/links.csv`, { headers: admin })).text();
    for (const line of links.split(/\r?\n/).slice(1).filter(Boolean)) {
      const token = /\/i\/#([A-Za-z0-9_-]+)/.exec(line)![1]!;
      const invitee = list.find((x) => line.includes(x.email))!;
      invitees.set(token, invitee);
    }
    expect(invitees.size).toBe(list.length);
    if (dialect === "postgres") importedRows = await invitationRowsPhysically();

    if (dialect === "postgres") {
      try {
        await sql`create extension if not exists pg_walinspect`.execute(server.ctx.db.kysely);
        // A replication slot keeps the WAL from here on until the test has read it: on a busy
        // server (other tests, benchmarks) the segments would otherwise be recycled first.
        // A temporary slot, on a connection of its own: it goes when that connection closes.
        walSlot = new pg.Client({ connectionString: PG_ADMIN_URL });
        await walSlot.connect();
        await walSlot.query("select pg_create_physical_replication_slot($1, true, true)", [`chiso_anonymity_${process.pid}`]).catch(async () => {
          await walSlot?.end();
          walSlot = null;
        });
        walStart = (await sql<{ lsn: string }>`select pg_current_wal_lsn()::text as lsn`.execute(server.ctx.db.kysely)).rows[0]!.lsn;
      } catch (error) {
        walInspect = (error as Error).message;
        console.warn(`pg_walinspect is not available here (${walInspect}): the PostgreSQL WAL part is skipped.`);
      }
    }

    // The scenario: 15 of 18 invitees open their link, 12 answer; opening and answering spread over
    // four days, in orders that differ from each other and from the import.
    const rng = seededRng(2037);
    const tokens = shuffle([...invitees.keys()], rng);
    const openers = tokens.slice(0, 15);
    const opened = new Map<string, OpenedInvitation>();
    const answerOrder = shuffle(openers, rng).slice(0, 12);
    const plan: Array<{ day: number; open?: string; answer?: string }> = [];
    openers.slice(0, 8).forEach((t) => plan.push({ day: 0, open: t }));
    const answered = new Set<string>();
    const answerable = () => answerOrder.filter((t) => opened.has(t) && !answered.has(t));
    vi.useFakeTimers({ toFake: ["Date"] });
    const capture = (method: "log" | "info" | "warn" | "error") =>
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(" ")));
    const restore = [capture("log"), capture("info"), capture("warn"), capture("error")];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      printed.push(String(chunk));
      return write(chunk, ...rest);
    }) as typeof process.stdout.write;
    try {
      const run = async (day: number, open: string[], answers: number) => {
        vi.setSystemTime(new Date(`${DAYS[day]}T0${day + 1}:1${day}:00Z`));
        for (const token of open) opened.set(token, await openInvitation(server, token));
        for (const token of answerable().slice(0, answers)) {
          const submission = makeSubmission(leaders, "x", invitees.get(token)!.group, seededRng(truth.size + 1));
          const res = await server.api("/api/invitations/responses", { json: anonymousAnswer(opened.get(token)!, submission.answers) });
          expect(res.status, JSON.stringify(res.body)).toBe(201);
          truth.set(token, res.body.id);
          receipts.push(res.body.receipt);
          answered.add(token);
          if (server.ctx.db.sqlite) walSnapshots.push(fs.readFileSync(`${server.ctx.db.sqlite.name}-wal`));
        }
      };
      await run(0, openers.slice(0, 8), 3);
      await run(1, openers.slice(8, 12), 4);
      await run(2, openers.slice(12, 15), 3);
      await run(3, [], 12);
    } finally {
      vi.useRealTimers();
      for (const spy of restore) spy.mockRestore();
      process.stdout.write = write;
    }
    expect(truth.size).toBe(12);
    if (walStart) walEnd = (await sql<{ lsn: string }>`select pg_current_wal_lsn()::text as lsn`.execute(server.ctx.db.kysely)).rows[0]!.lsn;
  }, 180_000);
  afterAll(async () => {
    if (skip) return;
    await walSlot?.end();
    await server.close();
  });

  const db = () => server.ctx.db.kysely;
  const invitationRowsPhysically = async () =>
    (
      await sql<{
        token: string;
        xmin: string;
        ctid: string;
      }>`select token, xmin::text as xmin, ctid::text as ctid from invitations where round_id = ${round} order by ctid`.execute(db())
    ).rows;
  const openedSet = async () => {
    const row = await db().selectFrom("invitation_openings").select("opened").where("round_id", "=", round).executeTakeFirstOrThrow();
    return { text: row.opened, tokens: Object.keys(JSON.parse(row.opened) as Record<string, unknown>) };
  };
  const tables = async (): Promise<string[]> =>
    dialect === "sqlite"
      ? server.ctx.db
          .sqlite!.prepare("select name from sqlite_master where type = 'table'")
          .all()
          .map((r) => (r as { name: string }).name)
      : (await sql<{ tablename: string }>`select tablename from pg_tables where schemaname = 'public'`.execute(db())).rows.map((r) => r.tablename);
  const identities = () => [...invitees.entries()].flatMap(([token, i]) => [token, i.name, i.email]);

  it.skipIf(skip)("no table holds a time of use or of answer, an agency next to an answer, or a token next to a response", async () => {
    const responseIds = [...truth.values()];
    const agencies = new Set([...invitees.values()].map((i) => i.agency));
    const identityTexts = identities();
    // Tens of thousands of rows (the unit registries among them): what is found is collected and checked once.
    const found = new Set<string>();
    for (const table of await tables()) {
      const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db())).rows;
      for (const row of rows) {
        const text = JSON.stringify(row);
        for (const day of DAYS) if (text.includes(day)) found.add(`${table} holds the day ${day}`);
        const identity = identityTexts.some((s) => text.includes(s));
        const response = responseIds.some((id) => text.includes(id)) || receipts.some((r) => text.includes(r));
        if (identity && response) found.add(`${table} links an invitee and a response`);
        if (response && [...agencies].some((a) => text.includes(a))) found.add(`${table} keeps the agency of a response`);
      }
    }
    expect([...found]).toEqual([]);
    const responses = await db().selectFrom("responses").selectAll().where("round_id", "=", round).execute();
    expect(responses).toHaveLength(12);
    for (const r of responses) {
      expect(r).toMatchObject({ received_on: "", started_at: null, submitted_at: null, device_id: null, enumerator_id: null, channel: "invitation" });
      expect(r.received_at ?? null).toBeNull();
      expect(server.ctx.units.getCached(r.unit_key)?.level).toBe("province");
      const payload = JSON.parse(r.payload_json);
      expect(payload.startedAt).toBeUndefined();
      expect(payload.submittedAt).toBeUndefined();
    }
    const invitations = await db().selectFrom("invitations").selectAll().where("round_id", "=", round).execute();
    for (const i of invitations) expect(i.used_on).toBeNull();
    // The opened set is one row per round, its entries sorted by token: no order of opening in it.
    const { tokens } = await openedSet();
    expect(tokens).toHaveLength(15);
    expect(tokens).toEqual([...tokens].sort());
  });

  it.skipIf(skip)("the server printed nothing about any invitation, credential or response", () => {
    const secrets = [...invitees.keys(), ...truth.values(), ...receipts];
    for (const line of printed) for (const s of secrets) expect(line.includes(s), `printed: ${line}`).toBe(false);
    expect(printed.filter((l) => /invitation|credential/i.test(l))).toEqual([]);
  });

  it.skipIf(skip)("the rate limiter keeps no bucket keyed by a token, and none past its window", () => {
    const { perAddress, perRound } = server.ctx.rateLimits;
    const later = Date.now() + Math.max(perAddress.windowMs, perRound.windowMs) + 1000;
    expect(perAddress.size(later)).toBe(0);
    expect(perRound.size(later)).toBe(0);
  });

  it.skipIf(skip)("the admin API tells per invitee only 'opened' and per group only counts", async () => {
    // The clock jumped back: a kept-alive connection may have been dropped meanwhile.
    await fetch(`${server.url}/api/health`).catch(() => undefined);
    const progress = await server.api(`/api/rounds/${round}/invitations/progress`, { headers: admin });
    expect(progress.status).toBe(200);
    expect(progress.body.total).toEqual({ invited: 18, opened: 15, responses: 12 });
    expect(Object.keys(progress.body.invitees[0]).sort()).toEqual(["agency", "agencyName", "email", "group", "name", "opened"]);
    const text = JSON.stringify(progress.body);
    for (const id of truth.values()) expect(text).not.toContain(id);
    for (const day of DAYS) expect(text).not.toContain(day);
    // The wide export carries no agency and no day for this round.
    const wide = await fetch(`${server.url}/api/rounds/${round}/export/wide?format=csv`, { headers: admin });
    if (wide.status === 200) {
      const csv = await wide.text();
      for (const day of DAYS) expect(csv).not.toContain(day);
      for (const i of invitees.values()) expect(csv).not.toContain(i.agency);
    }
  });

  /**
   * The order attack: pair, within each published cell, the k-th opened invitation with the k-th
   * response in the order the database gives (natural order, or physical position / transaction
   * id on PostgreSQL). Chance gets about Σ responses/opened per cell right; the earlier design got all.
   */
  async function orderAttack(invitationOrder: string[], responseOrder: string[]) {
    const cellOf = async (token: string) => invitees.get(token)!.group;
    const rows = await db().selectFrom("responses").select(["id", "group_code"]).where("round_id", "=", round).execute();
    const groupOfResponse = new Map(rows.map((r) => [r.id, r.group_code]));
    let correct = 0;
    let chance = 0;
    for (const group of GROUPS) {
      const opened: string[] = [];
      for (const t of invitationOrder) if ((await cellOf(t)) === group) opened.push(t);
      const responses = responseOrder.filter((id) => groupOfResponse.get(id) === group);
      responses.forEach((id, k) => {
        if (opened[k] && truth.get(opened[k]!) === id) correct++;
      });
      chance += responses.length / Math.max(1, opened.length);
    }
    return { correct, chance, bound: Math.ceil(chance + 3 * Math.sqrt(chance) + 1) };
  }

  it.skipIf(skip || dialect !== "sqlite")(
    "SQLite: rows come back in the order of random keys; file and WAL hold no time and no token beside a response",
    async () => {
      const sqlite = server.ctx.db.sqlite!;
      const natural = sqlite
        .prepare("select id from responses where round_id = ?")
        .all(round)
        .map((r) => (r as { id: string }).id);
      expect(natural).toEqual([...natural].sort());
      const openedTokens = new Set((await openedSet()).tokens);
      const invitationsNatural = sqlite
        .prepare("select token from invitations where round_id = ?")
        .all(round)
        .map((r) => (r as { token: string }).token)
        .filter((t) => openedTokens.has(t));
      expect(invitationsNatural).toEqual([...invitationsNatural].sort());
      const attack = await orderAttack(invitationsNatural, natural);
      expect(attack.correct, `order attack: ${attack.correct} right, chance ≈ ${attack.chance.toFixed(1)}`).toBeLessThanOrEqual(attack.bound);
      for (const s of sqlite
        .prepare("select sql from sqlite_master where name in ('responses', 'invitations', 'invitation_openings', 'answers', 'credential_keys')")
        .all() as Array<{ sql: string }>) {
        expect(s.sql).toMatch(/without rowid/i);
      }
      // The write-ahead log as it was after each answer, before any checkpoint: response pages only.
      expect(walSnapshots.length).toBe(12);
      for (const wal of walSnapshots) {
        for (const token of invitees.keys()) expect(wal.includes(token), "the WAL holds an invitation next to responses").toBe(false);
        for (const day of DAYS) expect(wal.includes(day)).toBe(false);
      }
      const file = fs.readFileSync(sqlite.name);
      for (const day of DAYS) expect(file.includes(day), `the database file holds ${day}`).toBe(false);
    },
  );

  it.skipIf(skip || dialect !== "postgres")("PostgreSQL: no invitee row moved or was rewritten after the import; xmin and ctid pair nothing", async () => {
    // Opening never writes an invitee's row: the transaction id and physical position of every row
    // are those of the import, so neither can say who opened, or when.
    const now = await invitationRowsPhysically();
    expect(now).toEqual(importedRows);
    const openedTokens = new Set((await openedSet()).tokens);
    const byCtid = now.filter((r) => openedTokens.has(r.token)).map((r) => r.token);
    const res = (await sql<{ id: string; xmin: string }>`select id, xmin::text as xmin from responses where round_id = ${round} order by ctid`.execute(db()))
      .rows;
    for (const order of [res.map((r) => r.id), [...res].sort((a, b) => Number(a.xmin) - Number(b.xmin)).map((r) => r.id)]) {
      const attack = await orderAttack(byCtid, order);
      expect(attack.correct, `order attack: ${attack.correct} right, chance ≈ ${attack.chance.toFixed(1)}`).toBeLessThanOrEqual(attack.bound);
    }
    // The opened set is one row: its transaction id is the last opening's, shared with no response.
    const openings = (await sql<{ xmin: string }>`select xmin::text as xmin from invitation_openings where round_id = ${round}`.execute(db())).rows;
    expect(openings).toHaveLength(1);
    expect(res.some((r) => r.xmin === openings[0]!.xmin)).toBe(false);
  });

  it.skipIf(skip || dialect !== "postgres")(
    "PostgreSQL WAL: no transaction writes both an opening and a response, none writes an invitee row, and no record holds a day",
    async (ctx) => {
      if (!walStart || !walEnd) {
        console.warn(`PostgreSQL WAL check skipped: ${walInspect ?? "no WAL position"}`);
        ctx.skip();
        return;
      }
      const filenode = async (table: string) => (await sql<{ f: string }>`select pg_relation_filenode(${table})::text as f`.execute(db())).rows[0]!.f;
      const invitationsNode = await filenode("invitations");
      const responsesNode = await filenode("responses");
      // The opened set, and its TOAST table once it outgrows a page.
      const toast = (
        await sql<{
          f: string | null;
        }>`select pg_relation_filenode(reltoastrelid)::text as f from pg_class where oid = 'invitation_openings'::regclass`.execute(db())
      ).rows[0]!.f;
      const openingNodes = [await filenode("invitation_openings"), ...(toast ? [toast] : [])];
      const records = (
        await sql<{
          xid: string;
          block_ref: string | null;
        }>`select xid::text as xid, block_ref from pg_get_wal_records_info(${walStart}::pg_lsn, ${walEnd}::pg_lsn)`.execute(db())
      ).rows;
      const touches = new Map<string, Set<string>>();
      const relOf = (ref: string | null) => (ref?.match(/rel \d+\/\d+\/(\d+)/g) ?? []).map((m) => m.split("/").pop()!);
      for (const r of records) {
        if (r.xid === "0") continue;
        const set = touches.get(r.xid) ?? new Set<string>();
        for (const rel of relOf(r.block_ref)) set.add(rel);
        touches.set(r.xid, set);
      }
      const opens = (set: Set<string>) => openingNodes.some((n) => set.has(n));
      const opening = [...touches.values()].filter(opens).length;
      const storing = [...touches.values()].filter((s) => s.has(responsesNode)).length;
      expect(opening).toBeGreaterThanOrEqual(15);
      expect(storing).toBeGreaterThan(0);
      for (const set of touches.values()) {
        // After the import no transaction writes an invitee's row at all.
        expect(set.has(invitationsNode), "a transaction after the import wrote an invitee row").toBe(false);
        expect(opens(set) && set.has(responsesNode)).toBe(false);
      }
      // The WAL segments' bytes (read by the server itself): no day of opening or answering anywhere.
      const segments = (
        await sql<{ name: string }>`select distinct pg_walfile_name(lsn) as name from (values (${walStart}::pg_lsn), (${walEnd}::pg_lsn)) as v(lsn)`.execute(
          db(),
        )
      ).rows;
      try {
        for (const { name } of segments) {
          const bytes = (await sql<{ b: Buffer }>`select pg_read_binary_file(${`pg_wal/${name}`}) as b`.execute(db())).rows[0]!.b;
          for (const day of DAYS) expect(bytes.includes(day), `WAL ${name} holds ${day}`).toBe(false);
        }
      } catch (error) {
        if ((error as { code?: string }).code !== "42501") throw error;
        console.warn("reading WAL files needs pg_read_server_files: that part is skipped");
      }
    },
  );
});

/** A small unit tree for the rule alone: round scope R with units A, B, C; groups g1…g3. */
function treeDirectory(parents: Record<string, string | null>) {
  return { getCached: (key: string) => (key in parents ? { key, parentKey: parents[key] } : null) } as unknown as UnitDirectory;
}

describe("complementary suppression (the rule)", () => {
  const parents = { R: null, A: "R", B: "R", C: "R" };
  const unitsOf = [null, "R", "A", "B", "C"] as const;
  const groupsOf = [null, "g1", "g2", "g3"] as const;
  /** Cells a figure covers: its units' leaves × its groups. */
  const cover = (unit: string | null, group: string | null) => {
    const leaves = unit === null || unit === "R" ? ["A", "B", "C"] : [unit];
    return leaves.flatMap((u) => (group ? [group] : ["g1", "g2", "g3"]).map((g) => `${u}/${g}`));
  };

  it("on 500 random tables, every difference of two published nested figures, and every parent minus any of its published parts, covers 0 or at least the minimum", () => {
    const rng = seededRng(9474);
    const min = 5;
    let secondary = 0;
    // Hundreds of thousands of checks: the failures are collected and asserted once.
    const failures: string[] = [];
    for (let t = 0; t < 500; t++) {
      const cells: Cell[] = [];
      for (const u of ["A", "B", "C"])
        for (const g of ["g1", "g2", "g3"]) {
          const n = rng.next() < 0.3 ? rng.int(0, 4) : rng.int(5, 12);
          if (n > 0) cells.push({ unit: u, group: g, n, w: n, w2: n });
        }
      const rule = complementarySuppression(cells, treeDirectory(parents), ["R"], min);
      const count = (keys: string[]) => keys.reduce((s, k) => s + (cells.find((c) => `${c.unit}/${c.group}` === k)?.n ?? 0), 0);
      const published = unitsOf
        .flatMap((u) => groupsOf.map((g) => ({ u, g, keys: cover(u, g) })))
        .filter((f) => count(f.keys) > 0 && !rule.suppressed(f.u, f.g));
      for (const f of unitsOf.flatMap((u) => groupsOf.map((g) => ({ u, g })))) {
        const n = count(cover(f.u, f.g));
        if (n > 0 && n < min && !rule.suppressed(f.u, f.g)) failures.push(`table ${t}: ${f.u}/${f.g} covers ${n} and is published`);
        if (n >= min && rule.suppressed(f.u, f.g)) secondary++;
      }
      // Every difference of two published figures where one covers a part of the other.
      for (const a of published)
        for (const b of published) {
          if (a === b || !b.keys.every((k) => a.keys.includes(k))) continue;
          const rest = count(a.keys) - count(b.keys);
          if (!(rest === 0 || rest >= min)) failures.push(`table ${t}: ${a.u}/${a.g} − ${b.u}/${b.g} covers ${rest}`);
        }
      // A published figure minus any set of its published parts (groups of a unit, units of the scope).
      for (const a of published) {
        const parts = published.filter(
          (b) =>
            b !== a &&
            b.keys.every((k) => a.keys.includes(k)) &&
            (b.u === a.u || ((a.u === null || a.u === "R") && b.g === a.g)) &&
            b.keys.length < a.keys.length,
        );
        const disjoint = parts.filter((b, i) => parts.slice(0, i).every((c) => !c.keys.some((k) => b.keys.includes(k))));
        for (let mask = 1; mask < 1 << disjoint.length; mask++) {
          const chosen = disjoint.filter((_, i) => mask & (1 << i));
          const rest = count(a.keys) - chosen.reduce((s, b) => s + count(b.keys), 0);
          if (!(rest === 0 || rest >= min)) failures.push(`table ${t}: ${a.u}/${a.g} minus ${chosen.length} parts covers ${rest}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(secondary).toBeGreaterThan(0);
  });
});

describe.each(DIALECTS)("suppressed results of an anonymous round on %s", (dialect) => {
  const skip = dialect === "postgres" && !postgresAvailable;
  let server: TestServer;
  let admin: Record<string, string>;
  let leaders: Instrument;
  const rounds: string[] = [];
  /** Responses per group in each round: one group below the minimum. */
  const PLAN = [
    { hdnd: 2, so: 6, phong: 7, huyen: 6 },
    { hdnd: 6, so: 3, phong: 5, huyen: 8 },
  ];

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(dialect);
    const account = await server.createUser("admin");
    admin = await server.signIn(account.username, account.password);
    leaders = await instrumentOf(server.ctx, "par-leaders-2022");
    const agencies = demoUnits(server.ctx, "agency");
    for (const [r, plan] of PLAN.entries()) {
      const round = await server.createRound("par-leaders-2022", { modes: ["invitation"], groups: Object.keys(plan) });
      rounds.push(round);
      const invitees = Object.keys(plan).flatMap((group) =>
        Array.from({ length: 8 }, (_, i) => ({
          name: `L ${r} ${group} ${i}`,
          email: `l${r}.${group}.${i}@example.vn`,
          group,
          agency: agencies[i % agencies.length]!,
        })),
      );
      expect((await server.api(`/api/rounds/${round}/invitations`, { json: { invitees }, headers: admin })).status).toBe(201);
      const links = await (await fetch(`${server.url}/api/rounds/${round}/invitations/links.csv`, { headers: admin })).text();
      let seed = 100 * r;
      for (const [group, count] of Object.entries(plan)) {
        const tokens = links
          .split(/\r?\n/)
          .filter((l) => l.includes(`.${group}.`))
          .map((l) => /\/i\/#([A-Za-z0-9_-]+)/.exec(l)![1]!);
        for (const token of tokens.slice(0, count)) {
          const opened = await openInvitation(server, token);
          const res = await server.api("/api/invitations/responses", {
            json: anonymousAnswer(opened, makeSubmission(leaders, "x", group, seededRng(++seed)).answers),
          });
          expect(res.status).toBe(201);
        }
      }
    }
  }, 180_000);
  afterAll(async () => {
    if (!skip) await server.close();
  });

  /** Every figure the results API publishes for a round: whole round, each group, the province, by group. */
  async function figures(round: string, compare?: string) {
    const province = server.ctx.units.getCached(demoUnits(server.ctx, "agency")[0]!)!.parentKey!;
    const out: Array<{ label: string; n: number; value: number | null; cells: string[]; previous?: number | null }> = [];
    const groups = Object.keys(PLAN[rounds.indexOf(round)]!);
    for (const unit of [null, province]) {
      const base = `/api/rounds/${round}/results?${unit ? `unit=${encodeURIComponent(unit)}&` : ""}${compare ? `compare=${compare}&` : ""}`;
      const all = await server.api(`${base}by=group`, { headers: admin });
      expect(all.status, JSON.stringify(all.body)).toBe(200);
      out.push({ label: `${unit ?? "round"}/all`, n: all.body.responses, value: all.body.root.value, cells: groups, previous: all.body.root.previous?.value });
      for (const row of all.body.rows)
        out.push({
          label: `${unit ?? "round"}/${row.group} (row)`,
          n: row.responses,
          value: row.root.value,
          cells: [row.group],
          previous: row.root.previous?.value,
        });
      for (const group of groups) {
        const one = await server.api(`${base}group=${group}`, { headers: admin });
        out.push({
          label: `${unit ?? "round"}/${group}`,
          n: one.body.responses,
          value: one.body.root.value,
          cells: [group],
          previous: one.body.root.previous?.value,
        });
      }
    }
    return out;
  }

  it.skipIf(skip)(
    "a group below the minimum, and enough others, show no value in any query; no difference of two published figures isolates fewer than the minimum",
    async () => {
      for (const [r, round] of rounds.entries()) {
        const published = (await figures(round)).filter((f) => f.value !== null);
        expect(published.length, `round ${r}: something is published`).toBeGreaterThan(3);
        const small = Object.entries(PLAN[r]!).find(([, n]) => n < 5)![0];
        expect(
          published.some((f) => f.cells.length === 1 && f.cells[0] === small),
          `round ${r}: ${small} is published`,
        ).toBe(false);
        // Across groups and across units (here the whole round and its one province): every pair.
        for (const a of published)
          for (const b of published) {
            if (!b.cells.every((c) => a.cells.includes(c))) continue;
            const rest = a.n - b.n;
            expect(rest === 0 || rest >= 5, `round ${r}: ${a.label} − ${b.label} covers ${rest} responses`).toBe(true);
          }
        // One more group is withheld so that the total minus the published groups is not the small group.
        expect(
          published
            .filter((f) => f.cells.length === 1)
            .map((f) => f.cells[0])
            .filter((g, i, all) => all.indexOf(g) === i).length,
        ).toBeLessThanOrEqual(Object.keys(PLAN[r]!).length - 2);
      }
    },
  );

  it.skipIf(skip)("two rounds compared: earlier figures appear only where the earlier round publishes them", async () => {
    const earlier = new Map((await figures(rounds[1]!)).map((f) => [f.label, f.value]));
    for (const f of await figures(rounds[0]!, rounds[1]!)) {
      if (earlier.get(f.label) === null || earlier.get(f.label) === undefined) expect(f.previous ?? null, f.label).toBeNull();
    }
  });
});
