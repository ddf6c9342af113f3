/**
 * The input rules of docs/security.md over real HTTP on SQLite and PostgreSQL: one bad item never
 * hurts another (text rules, weights, UTF-8, surrogates, prototype keys, resends after close,
 * body size while reading, capped error lists, simultaneous creations).
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { DIALECTS, postgresAvailable } from "../helpers/databases.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { demoUnits, instrumentOf, makeSubmission } from "../helpers/responses.js";
import { seededRng } from "../../server/demo/random.js";
import { setRoundStatus } from "../../server/rounds/repository.js";
import { forgetRound } from "../../server/responses/prepare.js";
import { anonymousAnswer, openInvitation } from "../helpers/invitee.js";
import { MAX_LISTED_ERRORS } from "../../server/http/problem.js";
import { problemFromDatabaseError } from "../../server/db/errors.js";
import type { Instrument } from "../../shared/instrument/schema.js";

describe.each(DIALECTS)("input rules on %s", (dialect) => {
  const skip = dialect === "postgres" && !postgresAvailable;
  let server: TestServer;
  let sipas: Instrument;
  let round: string;
  let villages: string[];
  let seed = 100;

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(dialect);
    sipas = await instrumentOf(server.ctx, "sipas-2022");
    round = await server.createRound("sipas-2022");
    villages = demoUnits(server.ctx, "village");
  });
  afterAll(async () => {
    if (!skip) await server.close();
  });

  const submission = (overrides: Record<string, unknown> = {}) =>
    ({ ...makeSubmission(sipas, villages[seed % villages.length]!, "citizen", seededRng(++seed)), ...overrides }) as ReturnType<typeof makeSubmission>;
  /** A valid submission in which question `id` applies (it is answered), with that answer replaced. */
  const withAnswer = (id: string, value: unknown) => {
    let s = submission();
    for (let tries = 0; !(id in s.answers) && tries < 100; tries++) s = submission();
    return { ...s, answers: { ...s.answers, [id]: value } };
  };
  const stored = async (id: string) => Boolean(await server.ctx.db.kysely.selectFrom("responses").select("id").where("id", "=", id).executeTakeFirst());
  const send = (json: unknown, to = round) => server.api(`/api/rounds/${to}/responses`, { json });
  const sendRaw = async (body: Uint8Array | string, to = round) => {
    const res = await fetch(`${server.url}/api/rounds/${to}/responses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: body as BodyInit,
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  it.skipIf(skip)("refuses a control character in a text answer with 422 naming the question, accepts tab and line breaks", async () => {
    const nul = withAnswer("procedure_name", "Cấp giấy\u0000 khai sinh");
    const res = await send(nul);
    expect(res.status).toBe(422);
    expect(res.body.error.errors).toEqual([expect.objectContaining({ question: "procedure_name", code: "wrong_type" })]);
    expect(res.body.error.errors[0].message_vi).toMatch(/ký tự điều khiển/);
    expect(res.body.error.errors[0].message_en).toMatch(/U\+0000/);
    expect(await stored(nul.id)).toBe(false);
    for (const c of ["\u0007", "\u001b", "\u007f", "\u0085"]) expect((await send(withAnswer("procedure_name", `a${c}b`))).status).toBe(422);
    const ok = withAnswer("procedure_name", "Dòng 1\nDòng 2\r\n\tcó tab");
    expect((await send(ok)).status).toBe(201);
    // The same rule for every other string of a submission.
    const device = await send(submission({ deviceId: "tablet\u0000" }));
    expect(device.status).toBe(422);
    expect(device.body.error.errors[0].question).toBe("deviceId");
  });

  it.skipIf(skip)("stores every valid submission sent at the same moment as one with NUL", async () => {
    const valid = Array.from({ length: 30 }, () => submission());
    const bad = withAnswer("procedure_name", "x\u0000y");
    const results = await Promise.all([...valid.map((s) => send(s)), send(bad)]);
    expect(results.slice(0, 30).map((r) => r.status)).toEqual(new Array(30).fill(201));
    expect(results[30]!.status).toBe(422);
    for (const s of valid) expect(await stored(s.id)).toBe(true);
  });

  it.skipIf(skip)("a sync batch of 39 valid items and one with NUL stores the 39 and refuses the one, naming the field", async () => {
    const device = await server.deviceHeaders();
    const items = Array.from({ length: 40 }, () => submission({ channel: "enumerator" }));
    items[17] = { ...items[17]!, answers: { ...items[17]!.answers, procedure_name: "a\u0000b" } };
    const res = await server.api("/api/sync", { json: { round, responses: items }, headers: device });
    expect(res.status).toBe(200);
    expect(res.body.summary).toEqual({ stored: 39, duplicate: 0, conflict: 0, invalid: 1 });
    expect(res.body.results[17]).toMatchObject({ status: "invalid", error: { code: "invalid", errors: [{ question: "procedure_name" }] } });
    for (const [i, s] of items.entries()) expect(await stored(s.id)).toBe(i !== 17);
  });

  describe("a batch whose transaction fails is retried item by item", () => {
    // A real database fault that validation cannot see: a trigger refusing one device id.
    beforeAll(async () => {
      if (skip) return;
      const db = server.ctx.db.kysely;
      if (dialect === "sqlite") {
        await sql`create trigger poison before insert on responses when new.device_id = 'poison' begin select raise(abort, 'poisoned row'); end`.execute(db);
      } else {
        await sql`create function poison() returns trigger language plpgsql as $$ begin if new.device_id = 'poison' then raise exception 'poisoned row'; end if; return new; end $$`.execute(
          db,
        );
        await sql`create trigger poison before insert on responses for each row execute function poison()`.execute(db);
      }
    });
    afterAll(async () => {
      if (skip) return;
      await sql`drop trigger poison${sql.raw(dialect === "postgres" ? " on responses" : "")}`.execute(server.ctx.db.kysely);
    });

    it.skipIf(skip)("in a sync batch: only the faulty item is refused, the others are stored", async () => {
      const device = await server.deviceHeaders();
      const items = Array.from({ length: 40 }, () => submission({ channel: "enumerator" }));
      items[5] = { ...items[5]!, deviceId: "poison" };
      const res = await server.api("/api/sync", { json: { round, responses: items }, headers: device });
      expect(res.status).toBe(200);
      expect(res.body.summary).toEqual({ stored: 39, duplicate: 0, conflict: 0, invalid: 1 });
      expect(res.body.results[5]).toMatchObject({ id: items[5]!.id, status: "invalid" });
      for (const [i, s] of items.entries()) expect(await stored(s.id)).toBe(i !== 5);
    });

    it.skipIf(skip)("in concurrent submissions sharing a group commit: every other caller gets its receipt", async () => {
      const valid = Array.from({ length: 20 }, () => submission());
      const results = await Promise.all([...valid.map((s) => send(s)), send(submission({ deviceId: "poison" }))]);
      expect(results.slice(0, 20).map((r) => r.status)).toEqual(new Array(20).fill(201));
      for (const s of valid) expect(await stored(s.id)).toBe(true);
    });
  });

  it.skipIf(skip)("a control character in a path parameter or a looked-up key is a 4xx, never a 500", async () => {
    const device = await server.deviceHeaders();
    const credential = { message: "AAAA", signature: "AAAA" };
    const checks = [
      await server.api("/api/rounds/a%00b/responses", { json: submission() }),
      await server.api("/api/sync", { json: { round: "a\u0000b", responses: [submission({ channel: "enumerator" })] }, headers: device }),
      // The invitation's token and round travel in the body (docs/anonymity.md): the same rule holds there.
      await server.api("/api/invitations/lookup", { json: { token: "a\u0000b" } }),
      await server.api("/api/invitations/credential", { json: { token: "a\u0000b", blindedMessage: "AAAA" } }),
      await server.api("/api/invitations/responses", {
        json: { round: "a\u0000b", group: "so", unit: "2025:46", instrument: { id: "par-leaders-2022", version: "1" }, credential, answers: {} },
      }),
    ];
    for (const res of checks) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.error.message_en).toBeTruthy();
    }
  });

  it.skipIf(skip)("bounds weights: 0 < w ≤ 10^6, finite; the rollups stay finite", async () => {
    for (const weight of [1e308, 1e6 + 1, 0, -1]) {
      const res = await send(submission({ weight }));
      expect(res.status, `weight ${weight}`).toBe(422);
      expect(res.body.error.errors[0].question).toBe("weight");
    }
    const fresh = await server.createRound("sipas-2022");
    for (let i = 0; i < 3; i++) expect((await send(submission({ weight: 1e6 }), fresh)).status).toBe(201);
    const rows = await server.ctx.db.kysely.selectFrom("round_rollups").select(["w", "w2"]).where("round_id", "=", fresh).execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(Number.isFinite(Number(r.w)) && Number.isFinite(Number(r.w2))).toBe(true);
  });

  it.skipIf(skip)("refuses bytes that are not UTF-8 with 400 malformed_json instead of storing U+FFFD", async () => {
    const s = withAnswer("procedure_name", "ABC");
    const text = JSON.stringify(s);
    const at = text.indexOf("ABC");
    const bytes = Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(text.slice(at + 3))]);
    const res = await sendRaw(bytes);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("malformed_json");
    expect(await stored(s.id)).toBe(false);
  });

  it.skipIf(skip)("refuses lone surrogates in any string or key with 400", async () => {
    const s = withAnswer("procedure_name", "ABC");
    for (const [from, to] of [
      ['"ABC"', '"A\\ud800C"'],
      ['"ABC"', '"A\\udfffC"'],
      ['"procedure_name"', '"procedure_name","x\\ud800":"1"'],
      ['"unit"', '"u\\udc00nit"'],
    ]) {
      const res = await sendRaw(JSON.stringify(s).replace(from!, to!));
      expect(res.status, to).toBe(400);
      expect(res.body.error.code).toBe("malformed_json");
      expect(res.body.error.message_vi).toBeTruthy();
    }
    expect(await stored(s.id)).toBe(false);
    // A well-formed pair (an emoji) is text like any other.
    const pair = await sendRaw(JSON.stringify(withAnswer("procedure_name", "Tốt \ud83d\udc4d")));
    expect(pair.status, JSON.stringify(pair.body)).toBe(201);
  });

  it.skipIf(skip)('refuses "__proto__" as an answer key like any unknown question, on both endpoints', async () => {
    const s = submission();
    const text = JSON.stringify(s).replace('"answers":{', '"answers":{"__proto__":"1",');
    const res = await sendRaw(text);
    expect(res.status).toBe(422);
    expect(res.body.error.errors).toEqual([expect.objectContaining({ question: "__proto__", code: "unknown_question" })]);
    expect(await stored(s.id)).toBe(false);
    const top = await sendRaw(JSON.stringify(submission()).replace("{", '{"__proto__":{"weight":5},'));
    expect(top.status).toBe(422);

    const device = await server.deviceHeaders();
    const item = submission({ channel: "enumerator" });
    const batch = `{"round":${JSON.stringify(round)},"responses":[${JSON.stringify(item).replace('"answers":{', '"answers":{"__proto__":"1",')}]}`;
    const sync = await fetch(`${server.url}/api/sync`, { method: "POST", headers: { ...device, "content-type": "application/json" }, body: batch });
    const body = (await sync.json()) as any;
    expect(body.results[0]).toMatchObject({ status: "invalid", error: { errors: [{ question: "__proto__", code: "unknown_question" }] } });
    expect(await stored(item.id)).toBe(false);
  });

  it.skipIf(skip)("an identical resend after the round was closed gets its receipt; other content gets round_not_open", async () => {
    const closing = await server.createRound("sipas-2022");
    const device = await server.deviceHeaders();
    const single = submission();
    const synced = submission({ channel: "enumerator" });
    const first = await send(single, closing);
    expect(first.status).toBe(201);
    const firstSync = await server.api("/api/sync", { json: { round: closing, responses: [synced] }, headers: device });
    expect(firstSync.body.results[0].status).toBe("stored");

    await setRoundStatus(server.ctx.db.kysely, closing, "closed");
    forgetRound(closing);

    const again = await send(single, closing);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: "duplicate", receipt: first.body.receipt });
    const newcomer = submission();
    const refused = await send(newcomer, closing);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("round_not_open");

    const late = submission({ channel: "enumerator" });
    const resync = await server.api("/api/sync", { json: { round: closing, responses: [synced, late] }, headers: device });
    expect(resync.status).toBe(200);
    expect(resync.body.results[0]).toEqual({ id: synced.id, status: "duplicate", receipt: firstSync.body.results[0].receipt });
    expect(resync.body.results[1]).toMatchObject({ status: "invalid", error: { code: "round_not_open" } });
    expect(await stored(newcomer.id)).toBe(false);
    expect(await stored(late.id)).toBe(false);
  });

  it.skipIf(skip)("an identical invitation response resent after the round was closed gets its receipt", async () => {
    const leaders = await instrumentOf(server.ctx, "par-leaders-2022");
    const invitational = await server.createRound("par-leaders-2022", { modes: ["invitation"], minCellSize: 3 });
    const agency = demoUnits(server.ctx, "agency")[0]!;
    // Imported as an administrator does: a cell at the round's minimum size, its tokens read from the links.
    const user = await server.createUser("admin");
    const admin = await server.signIn(user.username, user.password);
    const invitees = Array.from({ length: 3 }, (_, i) => ({ name: `Đại biểu ${i}`, email: `a${i}@example.vn`, group: "so", agency }));
    expect((await server.api(`/api/rounds/${invitational}/invitations`, { json: { invitees }, headers: admin })).status).toBe(201);
    const links = await (await fetch(`${server.url}/api/rounds/${invitational}/invitations/links.csv`, { headers: admin })).text();
    const token = links.match(/\/i\/#([A-Za-z0-9_-]+)/)![1]!;
    const opened = await openInvitation(server, token);
    const answer = anonymousAnswer(opened, makeSubmission(leaders, "ignored", "ignored", seededRng(5), { channel: "invitation" }).answers);
    const path = "/api/invitations/responses";
    const first = await server.api(path, { json: answer });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    await setRoundStatus(server.ctx.db.kysely, invitational, "closed");
    forgetRound(invitational);
    const again = await server.api(path, { json: answer });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: "duplicate", receipt: first.body.receipt });
  });

  it.skipIf(skip)("stops reading a chunked body at the limit: 413, and the rest of the upload is never read", async () => {
    const total = 64 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const { status, written } = await new Promise<{ status: number; written: number }>((resolve, reject) => {
      let written = 0;
      let done = false;
      const req = http.request(`${server.url}/api/rounds/${round}/responses`, { method: "POST", headers: { "content-type": "application/json" } });
      req.on("response", (res) => {
        done = true;
        res.resume();
        resolve({ status: res.statusCode!, written });
        req.destroy();
      });
      req.on("error", (e) => (done ? undefined : reject(e)));
      const pump = () => {
        while (!done && written < total) {
          written += chunk.length;
          if (!req.write(chunk)) return void req.once("drain", pump);
        }
        if (!done) req.end();
      };
      req.write("[");
      pump();
    });
    expect(status).toBe(413);
    // The limit is 1 MiB; what is in flight in socket buffers is a few MiB at most, never the 64 MiB sent.
    expect(written).toBeLessThan(16 * 1024 * 1024);
  });

  it.skipIf(skip)("caps the list of errors: 60,000 unknown keys give the first 100 and a count, not a 10 MB body", async () => {
    const s = submission();
    const answers: Record<string, unknown> = { ...s.answers };
    for (let i = 0; i < 60_000; i++) answers[`k${i}`] = "1";
    const res = await fetch(`${server.url}/api/rounds/${round}/responses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...s, answers }),
    });
    const text = await res.text();
    expect(res.status).toBe(422);
    expect(text.length).toBeLessThan(64 * 1024);
    const body = JSON.parse(text);
    expect(body.error.errors).toHaveLength(MAX_LISTED_ERRORS);
    expect(body.error.errorCount).toBe(60_000);
    // Unknown fields of a strict schema are listed one per key, under the same cap.
    const extra: Record<string, unknown> = { ...s };
    for (let i = 0; i < 5000; i++) extra[`x${i}`] = 1;
    const strict = await fetch(`${server.url}/api/rounds/${round}/responses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(extra),
    });
    const strictText = await strict.text();
    expect(strict.status).toBe(422);
    expect(strictText.length).toBeLessThan(64 * 1024);
    expect(JSON.parse(strictText).error.errorCount).toBe(5000);
  });

  it.skipIf(skip)("two simultaneous creations of the same name: one 201, the others 4xx naming the field, never 500", async () => {
    const admin = await server.createUser("admin");
    const headers = await server.signIn(admin.username, admin.password);
    const edition = sipas.version;
    const roundBody = {
      id: "same-round-2026",
      title: { vi: "Đợt trùng", en: "Same round" },
      edition: "sipas-2022",
      version: edition,
      registry: "2025",
      groups: ["citizen"],
      modes: ["public"],
    };
    const rounds = await Promise.all(Array.from({ length: 8 }, () => server.api("/api/rounds", { json: roundBody, headers })));
    expect(rounds.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of rounds.filter((x) => x.status !== 201)) {
      expect([409, 422]).toContain(r.status);
      expect(r.body.error.errors[0].question).toBe("id");
    }
    const userBody = { username: "same-user", displayName: "Người trùng", role: "analyst", password: "Rừng-tràm-4417-xanh-lá-mạ" };
    const users = await Promise.all(Array.from({ length: 8 }, () => server.api("/api/users", { json: userBody, headers })));
    expect(users.map((u) => u.status).filter((s) => s >= 500)).toEqual([]);
    expect(users.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of users.filter((x) => x.status !== 201)) expect(r.body.error.errors[0].question).toBe("username");
  });

  it.skipIf(skip)("a number too large for its column is a 4xx, never a 500", async () => {
    const admin = await server.createUser("admin");
    const headers = await server.signIn(admin.username, admin.password);
    const body = {
      id: "big-cell-2026",
      title: { vi: "Đợt lớn", en: "Big" },
      edition: "sipas-2022",
      version: sipas.version,
      registry: "2025",
      groups: ["citizen"],
      modes: ["public"],
      minCellSize: 2 ** 40,
    };
    const res = await server.api("/api/rounds", { json: body, headers });
    // One rule on both databases (SQLite would store it, PostgreSQL's integer column would not): 422 naming the field.
    expect(res.status).toBe(422);
    expect(res.body.error.errors.map((e: { question: string }) => e.question)).toEqual(["minCellSize"]);
    expect(await server.ctx.db.kysely.selectFrom("rounds").select("id").where("id", "=", body.id).executeTakeFirst()).toBeUndefined();
  });

  it.skipIf(skip)("the audit log's limit and before are checked: a 400 naming the parameter, never a 500 or the whole log", async () => {
    const admin = await server.createUser("admin");
    const headers = await server.signIn(admin.username, admin.password);
    const logged = await server.api("/api/users", {
      json: { username: "audited-user", displayName: "Người được ghi", role: "analyst", password: "Rừng-tràm-4417-xanh-lá-mạ" },
      headers,
    });
    expect(logged.status).toBe(201);
    for (const limit of ["-1", "0", "1.5", "abc", "1e308", "1001"]) {
      const res = await server.api(`/api/audit?limit=${limit}`, { headers });
      expect(res.status, limit).toBe(400);
      expect(res.body.error.errors[0].question).toBe("limit");
    }
    const before = await server.api("/api/audit?before=yesterday", { headers });
    expect(before.status).toBe(400);
    expect(before.body.error.errors[0].question).toBe("before");
    const one = await server.api("/api/audit?limit=1", { headers });
    expect(one.status).toBe(200);
    expect(one.body.entries).toHaveLength(1);
  });

  it.skipIf(skip)("a round's period is two calendar dates, the end not before the start", async () => {
    const admin = await server.createUser("admin");
    const headers = await server.signIn(admin.username, admin.password);
    const body = {
      id: "period-2026",
      title: { vi: "Đợt", en: "Round" },
      edition: "sipas-2022",
      version: sipas.version,
      registry: "2025",
      groups: ["citizen"],
      modes: ["public"],
    };
    for (const [period, field] of [
      [{ periodStart: "2026-02-30", periodEnd: null }, "periodStart"],
      [{ periodStart: "2026-01-01", periodEnd: "2026-13-01" }, "periodEnd"],
      [{ periodStart: "2026-06-01", periodEnd: "2026-05-31" }, "periodEnd"],
    ] as const) {
      const res = await server.api("/api/rounds", { json: { ...body, ...period }, headers });
      expect(res.status, JSON.stringify(period)).toBe(422);
      expect(res.body.error.errors.map((e: { question: string }) => e.question)).toEqual([field]);
    }
    expect(await server.ctx.db.kysely.selectFrom("rounds").select("id").where("id", "=", body.id).executeTakeFirst()).toBeUndefined();
    const ok = await server.api("/api/rounds", { json: { ...body, periodStart: "2026-05-01", periodEnd: "2026-05-01" }, headers });
    expect(ok.status).toBe(201);
  });

  it.skipIf(skip)("an account's area is made of units that exist: an unknown key is a 422 naming it, and no account is made", async () => {
    const admin = await server.createUser("admin");
    const headers = await server.signIn(admin.username, admin.password);
    const body = {
      username: "area-typo",
      displayName: "Người nhập sai",
      role: "analyst",
      password: "Rừng-tràm-4417-xanh-lá-mạ",
      unitScope: [villages[0]!, "2025:no-such-unit"],
    };
    const res = await server.api("/api/users", { json: body, headers });
    expect(res.status).toBe(422);
    expect(res.body.error.errors.map((e: { question: string }) => e.question)).toEqual(["unitScope.1"]);
    expect(await server.ctx.db.kysely.selectFrom("users").select("id").where("username", "=", body.username).executeTakeFirst()).toBeUndefined();
    const ok = await server.api("/api/users", { json: { ...body, unitScope: [villages[0]!] }, headers });
    expect(ok.status).toBe(201);
  });

  it.skipIf(skip)("a round in a registry that does not exist is a 422 naming registry, never a 500", async () => {
    const admin = await server.createUser("admin");
    const headers = await server.signIn(admin.username, admin.password);
    const body = {
      id: "no-registry-2026",
      title: { vi: "Đợt", en: "Round" },
      edition: "sipas-2022",
      version: sipas.version,
      registry: "1999",
      scope: [],
      groups: ["citizen"],
      modes: ["public"],
    };
    const res = await server.api("/api/rounds", { json: body, headers });
    expect(res.status).toBe(422);
    expect(res.body.error.errors.map((e: { question: string }) => e.question)).toEqual(["registry"]);
    expect(res.body.error.errors[0].message_en).toContain("There is no unit registry “1999”");
    expect(await server.ctx.db.kysely.selectFrom("rounds").select("id").where("id", "=", body.id).executeTakeFirst()).toBeUndefined();
  });

  it.skipIf(skip)("translates the database's own foreign-key violation to 422, the backstop behind the routes' checks", async () => {
    const insert = sql`insert into peer_groups (id, label_vi, label_en, registry, members_json, updated_at) values ('fk-peer', 'Nhóm', 'Group', 'no-such-registry', '[]', '2026-01-01')`;
    const error = await insert.execute(server.ctx.db.kysely).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).not.toBeNull();
    const problem = problemFromDatabaseError(error)!;
    expect(problem.status).toBe(422);
    expect(problem.body().error).toMatchObject({
      code: "invalid",
      errors: [{ question: dialect === "postgres" ? "registry" : "(body)", code: "invalid_field" }],
    });
  });

  it.skipIf(skip)("translates the database's own uniqueness violation to 409 naming the field", async () => {
    const insert = sql`insert into peer_groups (id, label_vi, label_en, registry, members_json, updated_at) values ('dup-peer', 'Nhóm', 'Group', '2025', '[]', '2026-01-01')`;
    await insert.execute(server.ctx.db.kysely);
    const error = await insert.execute(server.ctx.db.kysely).then(
      () => null,
      (e: unknown) => e,
    );
    const problem = problemFromDatabaseError(error)!;
    expect(problem.status).toBe(409);
    expect(problem.body().error).toMatchObject({ code: "already_exists", errors: [{ question: "id", code: "already_exists" }] });
    expect(problem.body().error.message_vi).toBeTruthy();
  });
});
