/**
 * The collection server over real HTTP, on a real SQLite file and on PostgreSQL: catalogue,
 * rounds, idempotent submission, validation errors that write nothing, sync batches, results.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS, postgresAvailable } from "../helpers/databases.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { demoUnits, instrumentOf, makeSubmission } from "../helpers/responses.js";
import { seededRng } from "../../server/demo/random.js";
import type { Instrument } from "../../shared/instrument/schema.js";
import { codedQuestionIds } from "../../shared/scoring/counts.js";
import { prepareSubmission } from "../../server/responses/prepare.js";

describe.each(DIALECTS)("collection server on %s", (dialect) => {
  const skip = dialect === "postgres" && !postgresAvailable;
  let server: TestServer;
  let sipas: Instrument;
  let round: string;
  let villages: string[];

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

  /** Counts of every table a submission writes to, to prove that a refused one wrote nothing. */
  const snapshot = async () => ({
    responses: await server.count("responses"),
    answers: await server.count("answers"),
    rollups: await server.count("rollups"),
    cells: await server.count("cell_totals"),
  });

  it.skipIf(skip)("answers health and lists the three instruments with Vietnamese titles", async () => {
    const health = await server.api("/api/health");
    expect(health.status).toBe(200);
    expect(health.body.database).toBe(dialect);
    const list = await server.api("/api/instruments");
    const titles = Object.fromEntries(list.body.instruments.map((i: { id: string; title: { vi: string } }) => [i.id, i.title.vi]));
    expect(Object.keys(titles).sort()).toEqual(["papi-2022", "par-index-2022", "par-leaders-2022", "sipas-2022"]);
    expect(titles["sipas-2022"]).toMatch(/hài lòng/);
    const one = await server.api("/api/instruments/sipas-2022");
    expect(one.body.instrument.sections.length).toBeGreaterThan(3);
    expect((await server.api("/api/instruments/nope")).status).toBe(404);
  });

  it.skipIf(skip)("serves a round's form with an ETag and answers 304 when unchanged", async () => {
    const first = await server.api(`/api/rounds/${round}/form`);
    expect(first.status).toBe(200);
    expect(first.body.instrument.id).toBe("sipas-2022");
    const etag = first.headers.get("etag")!;
    expect(etag).toBeTruthy();
    const again = await server.api(`/api/rounds/${round}/form`, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect((await server.api("/api/rounds/none/form")).status).toBe(404);
    const rounds = await server.api("/api/rounds");
    expect(rounds.body.rounds.some((r: { id: string }) => r.id === round)).toBe(true);
  });

  it.skipIf(skip)("stores a response once: identical resend gives the same receipt, changed content 409", async () => {
    const submission = makeSubmission(sipas, villages[0]!, "citizen", seededRng(7));
    const first = await server.api(`/api/rounds/${round}/responses`, { json: submission });
    expect(first.status).toBe(201);
    expect(first.body.receipt).toMatch(/^[A-Z0-9]{3}-[A-Z0-9]{3}-[A-Z0-9]{3}$/);
    const again = await server.api(`/api/rounds/${round}/responses`, { json: submission });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: "duplicate", receipt: first.body.receipt });

    const before = await snapshot();
    const stored = await server.ctx.db.kysely.selectFrom("responses").select("payload_json").where("id", "=", submission.id).executeTakeFirstOrThrow();
    const changed = { ...submission, answers: { ...submission.answers, s1_1_1: submission.answers.s1_1_1 === "5" ? "4" : "5" } };
    const conflict = await server.api(`/api/rounds/${round}/responses`, { json: changed });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe("duplicate_conflict");
    expect(await snapshot()).toEqual(before);
    const after = await server.ctx.db.kysely.selectFrom("responses").select("payload_json").where("id", "=", submission.id).executeTakeFirstOrThrow();
    expect(after.payload_json).toBe(stored.payload_json);
  });

  it.skipIf(skip)("20 concurrent resends of one UUID store exactly one response", async () => {
    const submission = makeSubmission(sipas, villages[1]!, "citizen", seededRng(8));
    const before = await server.count("responses");
    const results = await Promise.all(Array.from({ length: 20 }, () => server.api(`/api/rounds/${round}/responses`, { json: submission })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(19);
    expect(new Set(results.map((r) => r.body.receipt)).size).toBe(1);
    expect(await server.count("responses")).toBe(before + 1);
    const cells = await server.ctx.db.kysely.selectFrom("cell_totals").select("n").where("round_id", "=", round).where("unit_key", "=", villages[1]!).execute();
    expect(cells.reduce((s, c) => s + Number(c.n), 0)).toBe(1);
  });

  it.skipIf(skip)("never refuses a response for its device's clock: keeps the times, records receipt time and offset, flags them for review", async () => {
    const device = await server.deviceHeaders();
    const day = 24 * 3600 * 1000;
    const ahead = (ms: number) => new Date(Date.now() + ms).toISOString();
    // A device three days ahead, one whose clock was reset to 1970, one that changed its clock mid-interview.
    const future = makeSubmission(sipas, villages[0]!, "citizen", seededRng(31), {
      channel: "enumerator",
      deviceId: "tab-clock",
      startedAt: ahead(3 * day - 600_000),
      submittedAt: ahead(3 * day),
    });
    const reset = makeSubmission(sipas, villages[0]!, "citizen", seededRng(32), {
      channel: "enumerator",
      deviceId: "tab-clock",
      startedAt: "1970-01-01T00:10:00Z",
      submittedAt: "1970-01-01T00:30:00Z",
    });
    const backwards = makeSubmission(sipas, villages[0]!, "citizen", seededRng(33), { startedAt: "2026-11-02T00:00:00Z", submittedAt: "2026-11-01T00:00:00Z" });
    const res = await server.api("/api/sync", {
      json: { round, deviceId: "tab-clock", deviceClock: ahead(3 * day), responses: [future, reset] },
      headers: device,
    });
    expect(res.status).toBe(200);
    expect(res.body.summary).toEqual({ stored: 2, duplicate: 0, conflict: 0, invalid: 0 });
    expect(Math.abs(Date.parse(res.body.serverTime) - Date.now())).toBeLessThan(60_000);
    const single = await server.api(`/api/rounds/${round}/responses`, { json: backwards });
    expect(single.status).toBe(201);
    // The same batch again (the device's clock has moved on): duplicates, nothing new.
    const again = await server.api("/api/sync", {
      json: { round, deviceId: "tab-clock", deviceClock: ahead(3 * day + 5000), responses: [future, reset] },
      headers: device,
    });
    expect(again.body.summary).toEqual({ stored: 0, duplicate: 2, conflict: 0, invalid: 0 });

    const rows = await server.ctx.db.kysely
      .selectFrom("responses")
      .select(["id", "started_at", "submitted_at", "received_at", "clock_offset_s", "time_review"])
      .where("id", "in", [future.id, reset.id, backwards.id])
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    const f = byId.get(future.id)!;
    expect(f.submitted_at).toBe(future.submittedAt);
    expect(Math.abs(Date.parse(f.received_at!) - Date.now())).toBeLessThan(60_000);
    expect(Math.abs(Number(f.clock_offset_s) - 3 * 24 * 3600)).toBeLessThan(60);
    expect(f.time_review).toBe("future device_clock");
    expect(byId.get(reset.id)!.time_review).toBe("before_2000 device_clock");
    expect(byId.get(backwards.id)!.time_review).toBe("start_after_submit");
    expect(byId.get(backwards.id)!.clock_offset_s).toBeNull();
  });

  describe("refuses bad requests with a clear error and writes nothing", () => {
    const cases: Array<[string, () => Promise<{ status: number; body: any }>, number, string]> = [
      [
        "malformed JSON",
        () => server.api(`/api/rounds/${round}/responses`, { method: "POST", body: "{not json", headers: { "content-type": "application/json" } }),
        400,
        "malformed_json",
      ],
      [
        "wrong content type",
        () => server.api(`/api/rounds/${round}/responses`, { method: "POST", body: "a=1", headers: { "content-type": "application/x-www-form-urlencoded" } }),
        415,
        "unsupported_media_type",
      ],
      [
        "too large",
        () =>
          server.api(`/api/rounds/${round}/responses`, {
            method: "POST",
            body: JSON.stringify({ pad: "x".repeat(1_100_000) }),
            headers: { "content-type": "application/json" },
          }),
        413,
        "payload_too_large",
      ],
      ["unknown round", () => server.api(`/api/rounds/nope/responses`, { json: makeSubmission(sipas, villages[0]!, "citizen") }), 404, "round_not_found"],
      [
        "wrong instrument version",
        () =>
          server.api(`/api/rounds/${round}/responses`, {
            json: makeSubmission(sipas, villages[0]!, "citizen", seededRng(2), { instrument: { id: "sipas-2022", version: "0.9.0" } }),
          }),
        409,
        "version_mismatch",
      ],
      [
        "missing id",
        () => server.api(`/api/rounds/${round}/responses`, { json: { ...makeSubmission(sipas, villages[0]!, "citizen"), id: undefined } }),
        422,
        "invalid",
      ],
      ["unit outside scope", () => server.api(`/api/rounds/${round}/responses`, { json: makeSubmission(sipas, "2025:00004", "citizen") }), 422, "invalid"],
      ["group not allowed", () => server.api(`/api/rounds/${round}/responses`, { json: makeSubmission(sipas, villages[0]!, "hdnd") }), 422, "invalid"],
      [
        "answer off the scale",
        () =>
          server.api(`/api/rounds/${round}/responses`, {
            json: { ...makeSubmission(sipas, villages[0]!, "citizen"), answers: { ...makeSubmission(sipas, villages[0]!, "citizen").answers, s1_1_1: "7" } },
          }),
        422,
        "invalid",
      ],
      [
        "unknown question",
        () =>
          server.api(`/api/rounds/${round}/responses`, {
            json: { ...makeSubmission(sipas, villages[0]!, "citizen"), answers: { ...makeSubmission(sipas, villages[0]!, "citizen").answers, zz_nope: "1" } },
          }),
        422,
        "invalid",
      ],
    ];
    it.skipIf(skip).each(cases)("%s", async (_name, send, status, code) => {
      const before = await snapshot();
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.message_vi).toBeTruthy();
      expect(res.body.error.message_en).toBeTruthy();
      expect(await snapshot()).toEqual(before);
    });

    it.skipIf(skip)("lists each field error with question, code and both languages", async () => {
      const s = makeSubmission(sipas, villages[0]!, "citizen");
      const res = await server.api(`/api/rounds/${round}/responses`, { json: { ...s, answers: { ...s.answers, s1_1_1: "9" } } });
      expect(res.status).toBe(422);
      const error = res.body.error.errors.find((e: { question: string }) => e.question === "s1_1_1");
      expect(error).toMatchObject({ code: "invalid_choice" });
      expect(error.message_vi).toMatch(/[ạ-ỹ]/);
      expect(error.message_en).toBeTruthy();
    });

    it.skipIf(skip)("a closed round refuses responses with 409", async () => {
      const closed = await server.createRound("sipas-2022", { status: "closed" });
      const before = await snapshot();
      const res = await server.api(`/api/rounds/${closed}/responses`, { json: makeSubmission(sipas, villages[0]!, "citizen") });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("round_not_open");
      expect(await snapshot()).toEqual(before);
    });
  });

  it.skipIf(skip)("syncs a batch with one result per response", async () => {
    const rng = seededRng(11);
    const good = makeSubmission(sipas, villages[2]!, "citizen", rng, { channel: "enumerator" });
    const dup = makeSubmission(sipas, villages[2]!, "citizen", rng, { channel: "enumerator" });
    const device = await server.deviceHeaders();
    const first = await server.api(`/api/rounds/${round}/responses`, { json: dup, headers: device });
    expect(first.status).toBe(201);
    const conflicting = { ...dup, answers: { ...dup.answers, s1_1_2: dup.answers.s1_1_2 === "1" ? "2" : "1" } };
    const bad = { ...makeSubmission(sipas, villages[2]!, "citizen", rng), unit: "2025:99999" };
    const batch = { round, deviceId: "tablet-1", responses: [good, dup, bad, { nonsense: true }] };
    const anonymous = await server.api("/api/sync", { json: batch });
    expect(anonymous.status).toBe(401);
    const wrongToken = await server.api("/api/sync", { json: batch, headers: { authorization: "Bearer not-a-token" } });
    expect(wrongToken.status).toBe(401);
    const res = await server.api("/api/sync", { json: batch, headers: device });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(["stored", "duplicate", "invalid", "invalid"]);
    expect(res.body.results[2].error.errors[0].question).toBe("unit");
    const conflictRes = await server.api("/api/sync", { json: { round, responses: [conflicting] }, headers: device });
    expect(conflictRes.body.results[0].status).toBe("conflict");
  });

  it.skipIf(skip)(
    "batches in flight together, with the same ids in several of them, store every id once and add exactly the counts of what they stored",
    async () => {
      const own = await server.createRound("sipas-2022");
      const rng = seededRng(41);
      const submissions = Array.from({ length: 40 }, (_, i) =>
        makeSubmission(sipas, villages[i % 3]!, i % 4 ? "citizen" : "organisation", rng, i % 5 === 0 ? { weight: 1.5 + (i % 3) } : {}),
      );
      // Each response prepared three times before any is stored, as three devices resending at once
      // would be: none is known as stored yet, so the database itself must tell the copies apart.
      const prepare = (s: (typeof submissions)[number]) => prepareSubmission(server.ctx, own, s, { allowedChannels: ["self"] });
      const copies = await Promise.all([0, 1, 2].map(() => Promise.all(submissions.map(prepare))));
      // Waves one event-loop turn apart become separate batches (in flight together on PostgreSQL),
      // overlapping in ids; the last wave also holds one id twice.
      const waves = [
        copies[0]!.slice(0, 20),
        copies[1]!.slice(10, 30),
        [...copies[2]!.slice(25, 40), ...copies[0]!.slice(30, 40), copies[1]!.slice(0, 10), copies[2]![0]!].flat(),
      ];
      const pending: Array<Promise<{ status: string; id: string; receipt?: string }>> = [];
      for (const wave of waves) {
        for (const item of wave) pending.push(server.ctx.store.store(item));
        await new Promise((resolve) => setImmediate(resolve));
      }
      const outcomes = new Map<string, Array<{ status: string; receipt?: string }>>();
      for (const o of await Promise.all(pending)) outcomes.set(o.id, [...(outcomes.get(o.id) ?? []), o]);
      for (const s of submissions) {
        const mine = outcomes.get(s.id)!;
        expect(
          mine.filter((o) => o.status === "stored"),
          s.id,
        ).toHaveLength(1);
        expect(mine.every((o) => o.status === "stored" || o.status === "duplicate")).toBe(true);
        expect(new Set(mine.map((o) => o.receipt)).size).toBe(1);
      }
      const again = await server.api(`/api/rounds/${own}/responses`, { json: submissions[5] });
      expect(again.body).toMatchObject({ status: "duplicate", receipt: outcomes.get(submissions[5]!.id)![0]!.receipt });

      // What was stored, recounted from the submissions themselves.
      const coded = codedQuestionIds(sipas);
      const expected = new Map<string, { n: number; w: number }>();
      const expectedRound = new Map<string, { n: number; w: number }>();
      const add = (m: Map<string, { n: number; w: number }>, key: string, w: number) => {
        const e = m.get(key) ?? { n: 0, w: 0 };
        e.n += 1;
        e.w += w;
        m.set(key, e);
      };
      let answerRows = 0;
      for (const s of submissions) {
        const w = (s as { weight?: number }).weight ?? 1;
        for (const [q, v] of Object.entries(s.answers)) {
          answerRows += Array.isArray(v) ? v.length : 1;
          if (!coded.has(q)) continue;
          for (const code of Array.isArray(v) ? v : typeof v === "string" && v !== "" ? [v] : []) {
            add(expected, `${s.unit}|${s.group}|${q}|${code}`, w);
            add(expectedRound, `${s.group}|${q}|${code}`, w);
          }
        }
      }
      const k = server.ctx.db.kysely;
      expect(await k.selectFrom("responses").select("id").where("round_id", "=", own).execute()).toHaveLength(40);
      const answers = await k
        .selectFrom("answers")
        .innerJoin("responses", "responses.id", "answers.response_id")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("round_id", "=", own)
        .executeTakeFirstOrThrow();
      expect(Number(answers.n)).toBe(answerRows);
      const cells = await k.selectFrom("cell_totals").select(["n", "w"]).where("round_id", "=", own).execute();
      expect(cells.reduce((sum, c) => sum + Number(c.n), 0)).toBe(40);
      const rollups = await k.selectFrom("rollups").select(["unit_key", "group_code", "question_id", "code", "n", "w"]).where("round_id", "=", own).execute();
      expect(rollups).toHaveLength(expected.size);
      for (const r of rollups) {
        const e = expected.get(`${r.unit_key}|${r.group_code}|${r.question_id}|${r.code}`)!;
        expect(Number(r.n)).toBe(e.n);
        expect(Number(r.w)).toBeCloseTo(e.w, 9);
      }
      const totals = await k.selectFrom("round_rollups").select(["group_code", "question_id", "code", "n", "w"]).where("round_id", "=", own).execute();
      expect(totals).toHaveLength(expectedRound.size);
      for (const r of totals) {
        const e = expectedRound.get(`${r.group_code}|${r.question_id}|${r.code}`)!;
        expect(Number(r.n)).toBe(e.n);
        expect(Number(r.w)).toBeCloseTo(e.w, 9);
      }
    },
  );

  it.skipIf(skip)("finds units by name without diacritics and by code", async () => {
    const hanoi = await server.api("/api/units?q=ha%20noi&level=province");
    expect(hanoi.body.units[0].name).toBe("Hà Nội");
    const hue = await server.api("/api/units?q=thua%20thien%20hue&level=province");
    expect(hue.body.units[0].key).toBe("2025:46");
    const old = await server.api("/api/units?q=thua%20thien%20hue&registry=pre2025&level=province");
    expect(old.body.units[0].key).toBe("pre2025:46");
    const byCode = await server.api("/api/units?q=00004");
    expect(byCode.body.units[0].code).toBe("00004");
  });
});
