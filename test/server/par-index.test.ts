/**
 * The PAR INDEX over real HTTP on SQLite and PostgreSQL, as a Sở Nội vụ analyst uses it: departments
 * enter Thừa Thiên Huế's 2022 evidence (004 Phụ lục 2), the analyst submits and reviews it, sets the
 * S and C sources and the council's scores, and the results reproduce 86.55/100 with its three parts;
 * the below-maximum list opens as CSV and XLSX; what-if changes nothing; stale saves are 409s;
 * callers outside their rounds or area are refused.
 */
import { randomUUID } from "node:crypto";
import ExcelJS from "exceljs";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PROVINCE, startTestServer, type TestServer } from "../helpers/server.js";
import { DIALECTS, postgresAvailable } from "../helpers/databases.js";
import { demoUnits } from "../helpers/responses.js";
import path from "node:path";
import { importEdition, latestEdition } from "../../server/instruments/repository.js";
import { loadSurveys } from "../../server/instruments/load.js";
import { contentHash } from "../../server/lib/canonical.js";
import { REPO_ROOT } from "../../server/config.js";
import { ensureDemoParRound } from "../../server/par-index/demo.js";
import { allParNodes } from "../../shared/scoring/index.js";
import { isParLeaf } from "../../shared/index-model/par-index.js";
import { randomSubmissions, submitAll } from "../results/fixtures.js";
import type { Answers } from "../../shared/instrument/schema.js";
import { HUE_LEADER_ITEMS } from "../golden/seeds/hue-2022.js";

const round2 = (x: number | null | undefined, d = 2) => (x === null || x === undefined ? null : Math.round(x * 10 ** d) / 10 ** d);

/** 004 Phụ lục 2: the evidence of every sub-criterion below its maximum, by the agency that enters it. */
const HUE_EVIDENCE: Record<string, Answers> = {
  vpub: { a1_7_total: 82, a1_7_done: 70, a1_7_late: 3, a1_7_overdue: 9 },
  stttt: {
    a3_2_3_total: 443363,
    a3_2_3_national: 414477,
    a3_2_3_province: 443363,
    a7_1_2_centre: "co",
    a7_1_2_cloud: "khong",
    a7_1_4_total: 15,
    a7_1_4_done: 5,
    a7_3_6_total: 80728,
    a7_3_6_done: 55505,
    a7_3_7_offered: 100,
    a7_3_7_used: 8.1,
    a7_3_7_paid: 67.6,
  },
  snv: {
    a3_2_1_met: "khong",
    a3_2_1_doc: "Quyết định 514/QĐ-UBND ngày 23/02/2022; Quyết định 472/QĐ-UBND ngày 18/02/2022",
    a3_4_1_total: 134483,
    a3_4_1_done: 133474,
    a3_4_2_total: 119760,
    a3_4_2_done: 115241,
    a3_4_2_note: "Thực tế tỷ lệ hồ sơ đúng hạn cấp huyện đạt 88%.",
    a3_4_3_total: 300991,
    a3_4_3_done: 295168,
    a4_1_3_base: 780,
    a4_1_3_now: 691,
    a5_1_3_level: "mot-phan",
    a5_1_3_doc: "Kết luận thanh tra của Bộ Nội vụ",
    a5_4_leaders: 3,
  },
  stc: {
    a6_1_1_plan: 6151.531,
    a6_1_1_paid: 4338.101,
    a6_1_3_rate: 64.16,
    a6_2_2_checked: "co",
    a6_2_2_database: "khong",
    a6_2_3_total: 4629,
    a6_2_3_approved: 3265,
    a6_3_4_rate: 3.534,
    a8_4_band: "11-30",
    a8_4_exceeded: 86.3,
    a8_5_total: 14,
    a8_5_exceeded: 7,
    a8_5_met: 7,
  },
};
/** The council's printed scores of the 20 rows (004:320-349). */
const PRINTED: Record<string, number> = {
  "1.7": 1.3171,
  "3.2.1": 0,
  "3.2.3": 0.9674,
  "3.4.1": 1.4886,
  "3.4.2": 1.4434,
  "3.4.3": 0.9807,
  "4.1.3": 0.5705,
  "5.1.3": 0.5,
  "5.4": 1,
  "6.1.1": 0.7052,
  "6.1.3": 0.6416,
  "6.2.2": 0.75,
  "6.2.3": 0.5,
  "6.3.4": 0.3534,
  "7.1.2": 0.5,
  "7.1.4": 0.3333,
  "7.3.6": 1.031,
  "7.3.7": 0.8786,
  "8.4": 1,
  "8.5": 1.75,
};

describe.each(DIALECTS)("PAR INDEX over HTTP on %s", (dialect) => {
  const skip = dialect === "postgres" && !postgresAvailable;
  let server: TestServer;
  let round: string;
  let otherRound: string;
  let analyst: Record<string, string>;
  let atMaximum: Record<string, number>;
  let aMaxima: Record<string, number>;
  const unit = DEMO_PROVINCE;
  const cell = () => `/api/par/${round}/assessments/${encodeURIComponent(unit)}`;

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(dialect);
    round = await server.createRound("par-index-2022", { modes: ["enumerator"] });
    otherRound = await server.createRound("par-index-2022", { modes: ["enumerator"] });
    analyst = await server.authenticate("analyst");
    const definition = (await latestEdition(server.ctx.db.kysely, "par-index-2022"))!.parIndex!;
    aMaxima = Object.fromEntries(
      allParNodes(definition.root)
        .filter((n) => isParLeaf(n) && n.source === "A")
        .map((n) => [n.code, n.max]),
    );
    atMaximum = Object.fromEntries(
      allParNodes(definition.root)
        .filter((n) => isParLeaf(n) && n.source === "A" && !(n.code in PRINTED))
        .map((n) => [n.code, n.max]),
    );
  }, 120_000);
  afterAll(async () => {
    if (!skip) await server.close();
  });

  it.skipIf(skip)("stores the edition's par-index definition, and lists the round as a PAR INDEX round", async () => {
    const row = await server.ctx.db.kysely
      .selectFrom("instrument_editions")
      .select(["par_index_json", "edition_id"])
      .where("edition_id", "in", ["par-index-2022", "sipas-2022"])
      .execute();
    expect(row.find((r) => r.edition_id === "par-index-2022")!.par_index_json).toContain('"par-index-2022"');
    expect(row.find((r) => r.edition_id === "sipas-2022")!.par_index_json).toBeNull();
    const { body } = await server.api("/api/par/rounds");
    expect(body.rounds.map((r: { id: string }) => r.id)).toEqual(expect.arrayContaining([round, otherRound]));
    const form = await server.api(`/api/par/${round}`);
    expect(form.status).toBe(200);
    expect(form.body.units.map((u: { key: string }) => u.key)).toEqual([unit]);
    expect(form.body.definition.root.max).toBe(100);
    // A national round (no scope): every province of the registry is an assessed unit.
    const national = await server.createRound("par-index-2022", { modes: ["enumerator"], scope: [] });
    const all = (await server.api(`/api/par/${national}`)).body.units.map((u: { key: string }) => u.key);
    expect(all.length).toBeGreaterThan(30);
    expect(all).toContain(unit);
  });

  it.skipIf(skip)(
    "departments enter their evidence from one read version without overwriting each other; a stale save of the same question is a 409",
    async () => {
      const group = `${cell()}/tu-danh-gia`;
      const start = await server.api(group);
      expect(start.body.assessment.version).toBe(0);
      // Each agency saves its own questions, all from the version it read (0).
      for (const answers of Object.values(HUE_EVIDENCE)) {
        const saved = await server.api(group, { method: "PUT", json: { version: 0, answers } });
        expect(saved.status, JSON.stringify(saved.body)).toBe(200);
      }
      const all = await server.api(group);
      expect(all.body.assessment.version).toBe(4);
      expect(all.body.assessment.answers).toEqual(Object.assign({}, ...Object.values(HUE_EVIDENCE)));
      // Another save of a question changed since version 0 is refused; nothing changes.
      const stale = await server.api(group, { method: "PUT", json: { version: 0, answers: { a4_1_3_now: 700, a6_3_4_rate: 1 } } });
      expect(stale.status).toBe(409);
      expect(stale.body.error.code).toBe("assessment_conflict");
      expect(stale.body.error.detail.questions).toEqual(["a4_1_3_now", "a6_3_4_rate"]);
      expect(stale.body.error.message_vi).toBeTruthy();
      const after = await server.api(group);
      expect(after.body.assessment.answers.a4_1_3_now).toBe(691);
      expect(after.body.assessment.version).toBe(4);
    },
  );

  it.skipIf(skip)("refuses bad evidence on its field (422) and changes nothing", async () => {
    const group = `${cell()}/tu-danh-gia`;
    const before = await server.api(group);
    const bad = await server.api(group, { method: "PUT", json: { version: 4, answers: { a3_4_1_done: 134484, nope: 1 } } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.errors.map((e: { question: string }) => e.question).sort()).toEqual(["answers.a3_4_1_done", "answers.nope"]);
    expect((await server.api(group)).body.assessment).toEqual(before.body.assessment);
    const wrongGroup = await server.api(`${cell()}/citizen`);
    expect(wrongGroup.status).toBe(422);
  });

  it.skipIf(skip)("submit → (no more edits) → return with a reason → submit → review, each with its audit row", async () => {
    const group = `${cell()}/tu-danh-gia`;
    const submit = await server.api(`${group}/transition`, { json: { action: "submit", version: 4 } });
    expect(submit.status).toBe(200);
    expect(submit.body.assessment).toMatchObject({ status: "submitted", version: 5 });
    const locked = await server.api(group, { method: "PUT", json: { version: 5, answers: { a5_4_leaders: 2 } } });
    expect(locked.status).toBe(409);
    expect(locked.body.error.code).toBe("assessment_locked");
    const noReason = await server.api(`${group}/transition`, { json: { action: "return", version: 5 } });
    expect(noReason.status).toBe(422);
    const staleReview = await server.api(`${group}/transition`, { json: { action: "review", version: 4 } });
    expect(staleReview.status).toBe(409);
    const back = await server.api(`${group}/transition`, { json: { action: "return", version: 5, reason: "Bổ sung tài liệu 3.2.1" } });
    expect(back.body.assessment).toMatchObject({ status: "draft", version: 6, returnReason: "Bổ sung tài liệu 3.2.1" });
    await server.api(`${group}/transition`, { json: { action: "submit", version: 6 } });
    const review = await server.api(`${group}/transition`, { json: { action: "review", version: 7 } });
    expect(review.body.assessment).toMatchObject({ status: "reviewed", version: 8 });
    const log = await server.ctx.db.kysely.selectFrom("audit_log").selectAll().where("target", "=", `${round}/${unit}/tu-danh-gia`).orderBy("at").execute();
    const steps = log.map((r) => JSON.parse(r.detail_json!) as { from: string; to: string }).map((d) => `${d.from}→${d.to}`);
    expect(steps).toEqual([
      "draft→draft",
      "draft→draft",
      "draft→draft",
      "draft→draft",
      "draft→submitted",
      "submitted→draft",
      "draft→submitted",
      "submitted→reviewed",
    ]);
    expect(log.every((r) => r.actor.startsWith("analyst-"))).toBe(true);
    expect(JSON.parse(log[0]!.detail_json!).tctp).toEqual(["1.7"]);
  });

  it.skipIf(skip)("sets S and C (published values) and the council's scores; refuses points out of range on their field", async () => {
    const bad = await server.api(`/api/par/${round}/inputs/${unit}`, {
      method: "PUT",
      json: { version: 0, survey: { published: { "2.4.1": 2 } }, sipas: { round: otherRound }, given: { "tham-dinh": { "4.1.3": 1.5, "9.9": 1 } } },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.errors.map((e: { question: string }) => e.question).sort()).toEqual([
      "given.tham-dinh.4.1.3",
      "given.tham-dinh.9.9",
      "sipas.round",
      "survey.published.2.4.1",
    ]);
    const put = await server.api(`/api/par/${round}/inputs/${unit}`, {
      method: "PUT",
      json: {
        version: 0,
        survey: { published: HUE_LEADER_ITEMS },
        sipas: { published: { "PAR-8.1": 7.92 } },
        given: { "tham-dinh": { ...atMaximum, ...PRINTED }, "tu-danh-gia": atMaximum },
      },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.inputs.version).toBe(1);
    const stale = await server.api(`/api/par/${round}/inputs/${unit}`, { method: "PUT", json: { version: 0, survey: null, sipas: null, given: {} } });
    expect(stale.status).toBe(409);
  });

  it.skipIf(skip)("results: the appraised total 86.55/100 = 61.21 A + 17.42 S + 7.92 C, every area, rank among units entered", async () => {
    const { status, body } = await server.api(`/api/par/${round}/results?unit=${unit}&group=tham-dinh&target=87`);
    expect(status).toBe(200);
    expect(round2(body.root.points)).toBe(86.55);
    expect(round2(body.root.parts.A.points)).toBe(61.21);
    expect(round2(body.root.parts.S.points)).toBe(17.42);
    expect(body.root.parts.C.points).toBe(7.92);
    const areas = Object.fromEntries(body.root.children.map((a: { code: string; points: number }) => [a.code, round2(a.points)]));
    expect(areas).toEqual({ "1": 9.32, "2": 9.25, "3": 12.38, "4": 9.29, "5": 12.33, "6": 9.21, "7": 11.1, "8": 13.67 });
    expect(body.rank).toEqual({ rank: 1, of: 1 });
    expect(round2(body.target.nodes.PAR.gap)).toBe(0.45);
    expect(body.statuses["tu-danh-gia"]).toMatchObject({ status: "reviewed" });
    // Side by side with the self-assessment: where the council scored differently from the rules.
    expect(body.other.group).toBe("tu-danh-gia");
    const c17 = body.other.changes.find((c: { code: string }) => c.code === "1.7");
    expect([round2(c17.before, 4), round2(c17.after, 4)]).toEqual([1.2805, 1.3171]);
    // The self-assessment scores the evidence by the rules: 1.7 gives 1.2805, not the council's 1.3171.
    const self = await server.api(`/api/par/${round}/results?unit=${unit}&group=tu-danh-gia`);
    const node = (root: any, code: string): any => (root.code === code ? root : (root.children ?? []).map((c: any) => node(c, code)).find(Boolean));
    expect(round2(node(self.body.root, "1.7").points, 4)).toBe(1.2805);
    expect(round2(node(self.body.root, "4.1.3").points, 4)).toBe(0.5705);
    expect(node(self.body.root, "4.1.3").obtained).toBe("evidence");
  });

  it.skipIf(skip)("S from a leader-survey round: the S part is that round's result for the province", async () => {
    const leaders = (await latestEdition(server.ctx.db.kysely, "par-leaders-2022"))!.instrument;
    const leaderRound = await server.createRound("par-leaders-2022", { minCellSize: 1 });
    await submitAll(
      server,
      leaderRound,
      randomSubmissions(
        leaders,
        demoUnits(server.ctx, "agency"),
        leaders.respondentGroups.map((g) => g.code),
        30,
        7,
      ),
    );
    const inputs = (await server.api(`/api/par/${otherRound}/inputs/${unit}`)).body.inputs;
    const put = await server.api(`/api/par/${otherRound}/inputs/${unit}`, {
      method: "PUT",
      json: { version: inputs.version, survey: { round: leaderRound }, sipas: null, given: {} },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const par = await server.api(`/api/par/${otherRound}/results?unit=${unit}`);
    const leaderResult = await server.api(`/api/rounds/${leaderRound}/results?unit=${unit}`);
    expect(leaderResult.status).toBe(200);
    expect(par.body.root.parts.S.points).toBeCloseTo(leaderResult.body.root.points, 9);
    expect(par.body.sources.survey).toEqual({ kind: "round", round: leaderRound });

    // An analyst assigned to the PAR round but not to the leader round gets no value from it.
    const parOnly = await server.createUser("analyst", { rounds: [otherRound] });
    const headers = await server.signIn(parOnly.username, parOnly.password);
    expect((await server.api(`/api/rounds/${leaderRound}/results?unit=${unit}`, { headers })).status).toBe(403);
    const blind = await server.api(`/api/par/${otherRound}/results?unit=${unit}`, { headers });
    expect(blind.status).toBe(200);
    expect(blind.body.sources.survey).toEqual({ kind: "round", round: leaderRound, note: "round_not_assigned" });
    expect(blind.body.root.parts.S.points).toBeNull();
    const what = await server.api(`/api/par/${otherRound}/what-if`, { headers, json: { unit, group: "tham-dinh", proposal: {} } });
    expect(what.status, JSON.stringify(what.body)).toBe(200);
    expect(JSON.stringify(what.body)).not.toContain(String(par.body.root.parts.S.points));
  });

  it.skipIf(skip)("the below-maximum list names who must act on what, as JSON, CSV and XLSX", async () => {
    const json = await server.api(`/api/par/${round}/below-maximum?unit=${unit}&group=tu-danh-gia`);
    expect(json.body.rows.map((r: { code: string }) => r.code)).toEqual(Object.keys(PRINTED));
    const r342 = json.body.rows.find((r: { code: string }) => r.code === "3.4.2");
    expect(r342.agencies[0].code).toBe("ubnd-huyen");
    expect(r342.evidence.find((e: { question: string }) => e.question === "a3_4_2_done").value).toBe(115241);

    const csv = await fetch(`${server.url}/api/par/${round}/below-maximum?unit=${unit}&group=tu-danh-gia&format=csv&sep=semicolon&decimal=comma`, {
      headers: analyst,
    });
    expect(csv.headers.get("content-type")).toMatch(/text\/csv/);
    const records = parse((await csv.text()).replace(/^\uFEFF/, ""), { delimiter: ";" }) as string[][];
    expect(records[0]).toEqual(["stt", "code", "criterion", "max", "points", "lost", "reason", "agency"]);
    expect(records[1]![0]).toBe("STT");
    expect(records).toHaveLength(22);
    const row413 = records.find((r) => r[1] === "4.1.3")!;
    expect(row413.slice(3, 6)).toEqual(["1", "0,5705", "0,4295"]);
    expect(row413[7]).toBe("Sở Nội vụ");

    const xlsx = await fetch(`${server.url}/api/par/${round}/below-maximum?unit=${unit}&group=tu-danh-gia&format=xlsx&labels=en`, { headers: analyst });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as never);
    const sheet = book.worksheets[0]!;
    const codes: string[] = [];
    sheet.eachRow((row, i) => {
      if (i > 2) codes.push(String(row.getCell(2).value));
    });
    expect(codes).toEqual(Object.keys(PRINTED));
    expect(sheet.getRow(2).getCell(8).value).toBe("Lead agency");
  });

  it.skipIf(skip)("what-if: 3.4.3 at 100% on time and SIPAS +0.3 raise the total by their gaps; nothing is stored", async () => {
    const counts = async () => {
      const out: Record<string, number> = {};
      for (const t of ["assessments", "assessment_answers", "par_inputs", "audit_log"] as const) {
        const r = await server.ctx.db.kysely
          .selectFrom(t)
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow();
        out[t] = Number(r.n);
      }
      return out;
    };
    const before = await counts();
    const stored = (await server.api(`${cell()}/tu-danh-gia`)).body.assessment;
    const res = await server.api(`/api/par/${round}/what-if`, {
      json: { unit, group: "tu-danh-gia", proposal: { evidence: { a3_4_3_done: 300991 }, sipas: { "PAR-8.1": 8.22 } } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.proposed.points - res.body.base.points).toBeCloseTo(1 - 295168 / 300991 + 0.3, 9);
    expect(res.body.changes.map((c: { code: string }) => c.code).sort()).toEqual(["3", "3.4", "3.4.3", "8", "8.1", "PAR"]);
    expect(await counts()).toEqual(before);
    expect((await server.api(`${cell()}/tu-danh-gia`)).body.assessment).toEqual(stored);
    const bad = await server.api(`/api/par/${round}/what-if`, { json: { unit, proposal: { sipas: { "PAR-8.1": 11 }, evidence: { a6_1_3_rate: 164 } } } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.errors.map((e: { question: string }) => e.question).sort()).toEqual(["proposal.evidence.a6_1_3_rate", "proposal.sipas.PAR-8.1"]);
  });

  it.skipIf(skip)("survey-results routes answer a PAR INDEX round with a clear 409 pointing to /api/par", async () => {
    const res = await server.api(`/api/rounds/${round}/results?unit=${unit}`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("par_index_round");
    expect(res.body.error.detail.results).toBe(`/api/par/${round}/results`);
    const leaders = await server.createRound("par-leaders-2022");
    const notPar = await server.api(`/api/par/${leaders}/results?unit=${unit}`);
    expect(notPar.status).toBe(409);
    expect(notPar.body.error.code).toBe("not_par_index_round");
  });

  it.skipIf(skip)("an open PAR INDEX round takes no survey responses: evidence goes through /api/par only", async () => {
    const open = await server.createRound("par-index-2022", { modes: ["public"] });
    const before = await server.count("responses");
    // As an anonymous respondent would post it: no account, no cookie.
    const res = await fetch(`${server.url}/api/rounds/${open}/responses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        id: randomUUID(),
        instrument: { id: "par-index-2022", version: "1.0.0" },
        unit,
        group: "tu-danh-gia",
        channel: "self",
        answers: { a1_7_total: 82, a1_7_done: 70 },
      }),
    });
    const body = (await res.json()) as { error?: { code: string } };
    expect(body.error?.code).toBe("par_index_round");
    expect(res.status).toBe(409);
    expect(await server.count("responses")).toBe(before);
  });

  it.skipIf(skip)("scope: another round or a unit outside the caller's area is refused, and nothing is written", async () => {
    const other = await server.createUser("analyst", { rounds: [otherRound] });
    const headers = await server.signIn(other.username, other.password);
    const results = await server.api(`/api/par/${round}/results?unit=${unit}`, { headers });
    expect(results.status).toBe(403);
    expect(results.body.error.code).toBe("round_not_assigned");
    const save = await server.api(`${cell()}/tham-dinh`, { method: "PUT", json: { version: 0, answers: { a5_4_leaders: 3 } }, headers });
    expect(save.status).toBe(403);
    const move = await server.api(`${cell()}/tu-danh-gia/transition`, { json: { action: "return", version: 8, reason: "x" }, headers });
    expect(move.status).toBe(403);
    const inputs = await server.api(`/api/par/${round}/inputs/${unit}`, { method: "PUT", json: { version: 1, survey: null, sipas: null, given: {} }, headers });
    expect(inputs.status).toBe(403);
    // A source round the caller is not assigned to is refused too.
    const source = await server.api(`/api/par/${otherRound}/inputs/${unit}`, {
      method: "PUT",
      json: { version: 2, survey: { round }, sipas: null, given: {} },
      headers,
    });
    expect(source.status).toBe(403);
    expect(source.body.error.code).toBe("round_not_assigned");
    const commune = server.ctx.units.childrenOf(unit).find((u) => u.level === "commune")!.key;
    const local = await server.createUser("analyst", { unitScope: [commune] });
    const localHeaders = await server.signIn(local.username, local.password);
    for (const path of [
      `/api/par/${round}/results?unit=${unit}`,
      `/api/par/${round}/below-maximum?unit=${unit}`,
      `${cell()}/tu-danh-gia`,
      `/api/par/${round}/inputs/${unit}`,
    ]) {
      const res = await server.api(path, { headers: localHeaders });
      expect(res.status, path).toBe(403);
      expect(res.body.error.code).toBe("unit_out_of_scope");
    }
    const whatIf = await server.api(`/api/par/${round}/what-if`, { json: { unit, proposal: {} }, headers: localHeaders });
    expect(whatIf.status).toBe(403);
    const form = await server.api(`/api/par/${round}`, { headers: localHeaders });
    expect(form.body.units).toEqual([]);
    expect(form.body.assessments).toEqual([]);
    expect((await server.api(`${cell()}/tham-dinh`)).body.assessment.version).toBe(0);
  });

  it.skipIf(skip)(
    "survey editions keep their hashes; a changed par-index.json under a published version is refused; an edition stored before gets its definition once",
    async () => {
      const db = server.ctx.db.kysely;
      const editions = loadSurveys(path.join(REPO_ROOT, "surveys"));
      const sipas = editions.find((e) => e.instrument.id === "sipas-2022")!;
      const stored = await db.selectFrom("instrument_editions").select("content_hash").where("edition_id", "=", "sipas-2022").executeTakeFirstOrThrow();
      expect(stored.content_hash).toBe(contentHash({ instrument: sipas.instrument, index: sipas.index }));
      const par = editions.find((e) => e.instrument.id === "par-index-2022")!;
      const changed = structuredClone(par);
      changed.parIndex!.root.label.vi = "Đổi tên";
      await expect(importEdition(db, changed)).rejects.toMatchObject({ code: "edition_changed" });
      // As stored before migration 0006: no definition, the hash of instrument + index only.
      const where = (q: any) => q.where("edition_id", "=", "par-index-2022").where("version", "=", par.instrument.version);
      await where(
        db.updateTable("instrument_editions").set({ par_index_json: null, content_hash: contentHash({ instrument: par.instrument, index: par.index }) }),
      ).execute();
      expect(await importEdition(db, par)).toBe("imported");
      const row = await where(db.selectFrom("instrument_editions").select(["par_index_json", "content_hash"])).executeTakeFirstOrThrow();
      expect(JSON.parse(row.par_index_json).id).toBe("par-index-2022");
      expect(await importEdition(db, par)).toBe("unchanged");
    },
  );

  it.skipIf(skip)("the demo PAR INDEX round of `serve` shows Huế's 86.55/100, its self-assessment reviewed", async () => {
    const demo = await ensureDemoParRound(server.ctx, path.join(REPO_ROOT, "surveys"));
    expect(demo?.id).toBe("par-index-2022-demo");
    expect(await ensureDemoParRound(server.ctx, path.join(REPO_ROOT, "surveys"))).toBeNull();
    const { body } = await server.api(`/api/par/${demo!.id}/results?unit=${unit}`);
    expect(round2(body.root.points)).toBe(86.55);
    expect(body.statuses["tu-danh-gia"]).toMatchObject({ status: "reviewed" });
    const below = await server.api(`/api/par/${demo!.id}/below-maximum?unit=${unit}&group=tu-danh-gia`);
    expect(below.body.rows).toHaveLength(20);
    // Closed to survey responses: the self-assessment is never a public form.
    expect(demo!.status).toBe("closed");
  });

  it.skipIf(skip)("a department's account enters only the evidence of its own sub-criteria, and cannot submit or set sources", async () => {
    const adminUser = await server.createUser("admin");
    const admin = await server.signIn(adminUser.username, adminUser.password);
    const dept = await server.createUser("analyst");
    const unknown = await server.api(`/api/par/agency-members/${dept.username}`, { method: "PUT", json: { agencies: ["stc", "khong-co"] }, headers: admin });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.errors[0].question).toBe("agencies.1");
    const bound = await server.api(`/api/par/agency-members/${dept.username}`, { method: "PUT", json: { agencies: ["stc"] }, headers: admin });
    expect(bound.body.agencies).toEqual(["stc"]);
    const asAnalyst = await server.api(`/api/par/agency-members/${dept.username}`, { method: "PUT", json: { agencies: [] } });
    expect(asAnalyst.status).toBe(403);
    const headers = await server.signIn(dept.username, dept.password);
    const path = `${cell()}/tham-dinh`;
    // 6.2.3 is the Department of Finance's (004:341); 4.1.3 is the Department of Home Affairs'.
    const own = await server.api(path, { method: "PUT", json: { version: 0, answers: { a6_2_3_total: 4629, a6_2_3_approved: 3265 } }, headers });
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    const other = await server.api(path, { method: "PUT", json: { version: 1, answers: { a4_1_3_base: 780, a6_2_3_total: 4630 } }, headers });
    expect(other.status).toBe(403);
    expect(other.body.error.errors.map((e: { question: string }) => e.question)).toEqual(["answers.a4_1_3_base"]);
    expect((await server.api(path)).body.assessment.answers).toEqual({ a6_2_3_total: 4629, a6_2_3_approved: 3265 });
    expect((await server.api(`${path}/transition`, { json: { action: "submit", version: 1 }, headers })).status).toBe(403);
    expect(
      (await server.api(`/api/par/${round}/inputs/${unit}`, { method: "PUT", json: { version: 1, survey: null, sipas: null, given: {} }, headers })).status,
    ).toBe(403);
    expect((await server.api(`/api/par/${round}`, { headers })).body.me).toEqual({ agencies: ["stc"] });
  });

  it.skipIf(skip)("the administration list names every bound account with its agencies; analysts may not read it", async () => {
    const adminUser = await server.createUser("admin");
    const admin = await server.signIn(adminUser.username, adminUser.password);
    const dept = await server.createUser("analyst");
    await server.api(`/api/par/agency-members/${dept.username}`, { method: "PUT", json: { agencies: ["stttt", "snv"] }, headers: admin });
    const list = await server.api("/api/par/agency-members", { headers: admin });
    expect(list.status).toBe(200);
    expect(list.body.members.find((m: { username: string }) => m.username === dept.username).agencies).toEqual(["snv", "stttt"]);
    expect(list.body.agencies.find((a: { code: string }) => a.code === "stc")).toMatchObject({ label: { vi: "Sở Tài chính" }, indices: ["par-index-2022"] });
    await server.api(`/api/par/agency-members/${dept.username}`, { method: "PUT", json: { agencies: [] }, headers: admin });
    const after = await server.api("/api/par/agency-members", { headers: admin });
    expect(after.body.members.map((m: { username: string }) => m.username)).not.toContain(dept.username);
    expect((await server.api("/api/par/agency-members")).status).toBe(403);
  });

  it.skipIf(skip)(
    "targets stored with the round: ≥ 87% and a rank, round-wide or per unit, with the points and ranks needed; each caller only its scope",
    async () => {
      const national = await server.createRound("par-index-2022", { modes: ["enumerator"], scope: [] });
      const provinces = (await server.api(`/api/par/${national}`)).body.units.map((u: { key: string }) => u.key).filter((k: string) => k !== unit);
      const [p2, p3] = provinces as [string, string];
      const enter = async (key: string, given: Record<string, number>, sipas: number) => {
        const put = await server.api(`/api/par/${national}/inputs/${encodeURIComponent(key)}`, {
          method: "PUT",
          json: { version: 0, survey: { published: HUE_LEADER_ITEMS }, sipas: { published: { "PAR-8.1": sipas } }, given: { "tham-dinh": given } },
        });
        expect(put.status, JSON.stringify(put.body)).toBe(200);
      };
      const allMax = aMaxima;
      await enter(unit, { ...atMaximum, ...PRINTED }, 7.92); // 86.55
      await enter(p2, allMax, 9); // 68 + 17.42 + 9 = 94.42
      await enter(p3, { ...atMaximum, ...PRINTED }, 5); // 83.63
      const targetsUrl = `/api/par/${national}/targets`;

      // Bad targets: each on its field, in both languages, and nothing stored.
      const bad = await server.api(targetsUrl, {
        method: "PUT",
        json: {
          targets: [
            { kind: "performanceGroup", node: "PAR", atLeast: 1 },
            { kind: "value", node: "9.9", value: 1 },
            { kind: "value", node: "PAR", value: 120 },
            { kind: "rank", node: "1", rank: 3 },
            { kind: "value", node: "PAR", value: 80, group: "citizen" },
          ],
        },
      });
      expect(bad.status).toBe(422);
      expect(bad.body.error.errors.map((e: { question: string }) => e.question)).toEqual([
        "targets.0.kind",
        "targets.1.node",
        "targets.2.value",
        "targets.3.node",
        "targets.4.group",
      ]);
      expect(bad.body.error.errors.every((e: { message_vi?: string; message_en?: string }) => e.message_vi && e.message_en)).toBe(true);
      expect((await server.api(targetsUrl)).body.targets).toEqual([]);

      const wide = await server.api(targetsUrl, {
        method: "PUT",
        json: {
          targets: [
            { kind: "value", node: "PAR", value: 87 },
            { kind: "rank", node: "PAR", rank: 1 },
          ],
        },
      });
      expect(wide.status, JSON.stringify(wide.body)).toBe(200);
      const res = (await server.api(`/api/par/${national}/results?unit=${unit}`)).body;
      expect(res.rank).toEqual({ rank: 2, of: 3 });
      const value = res.targets.find((t: { kind: string }) => t.kind === "value");
      expect(value).toMatchObject({ node: "PAR", unit: null, measure: "percent", goal: 87, goalPoints: 87, met: false });
      expect(value.pointsNeeded).toBeCloseTo(87 - res.root.points, 9);
      expect(round2(value.pointsNeeded)).toBe(0.45);
      const rank = res.targets.find((t: { kind: string }) => t.kind === "rank");
      expect(rank).toMatchObject({ goal: 1, current: 2, met: false, ranksNeeded: 1 });
      expect(rank.pointsNeeded).toBeCloseTo(94.42 - 86.55, 9);
      // The leader has met both.
      const leader = (await server.api(`/api/par/${national}/results?unit=${encodeURIComponent(p2)}`)).body.targets;
      expect(leader.map((t: { met: boolean; pointsNeeded: number }) => [t.met, t.pointsNeeded])).toEqual([
        [true, 0],
        [true, 0],
      ]);

      // A unit's own target replaces the round-wide one of the same kind for that unit only; the round-wide ones stay.
      const own = await server.api(`${targetsUrl}?unit=${encodeURIComponent(unit)}`, {
        method: "PUT",
        json: { targets: [{ kind: "value", node: "PAR", value: 86, unit }] },
      });
      expect(own.status, JSON.stringify(own.body)).toBe(200);
      const mismatched = await server.api(`${targetsUrl}?unit=${encodeURIComponent(unit)}`, {
        method: "PUT",
        json: { targets: [{ kind: "value", node: "PAR", value: 86, unit: p3 }] },
      });
      expect(mismatched.status).toBe(422);
      expect(mismatched.body.error.errors[0].question).toBe("targets.0.unit");
      const mine = (await server.api(`/api/par/${national}/results?unit=${unit}`)).body.targets;
      expect(mine.map((t: { kind: string; unit: string | null; met: boolean }) => [t.kind, t.unit, t.met])).toEqual([
        ["rank", null, false],
        ["value", unit, true],
      ]);
      expect((await server.api(targetsUrl)).body.targets).toHaveLength(3);

      // An analyst limited to p3 sees and writes only p3's targets.
      const local = await server.createUser("analyst", { unitScope: [p3] });
      const localHeaders = await server.signIn(local.username, local.password);
      expect((await server.api(targetsUrl, { headers: localHeaders })).body.targets).toEqual([]);
      const roundWide = await server.api(targetsUrl, { method: "PUT", json: { targets: [{ kind: "value", node: "PAR", value: 90 }] }, headers: localHeaders });
      expect(roundWide.status).toBe(403);
      expect(roundWide.body.error.code).toBe("unit_out_of_scope");
      const outside = await server.api(targetsUrl, {
        method: "PUT",
        json: { targets: [{ kind: "value", node: "PAR", value: 90, unit }] },
        headers: localHeaders,
      });
      expect(outside.status).toBe(403);
      expect(outside.body.error.errors[0].question).toBe("targets.0.unit");
      const p3Target = await server.api(targetsUrl, {
        method: "PUT",
        json: { targets: [{ kind: "value", node: "3", value: 90, unit: p3 }] },
        headers: localHeaders,
      });
      expect(p3Target.status, JSON.stringify(p3Target.body)).toBe(200);
      expect(p3Target.body.targets).toEqual([{ kind: "value", node: "3", value: 90, unit: p3 }]);
      // Its results show only its own target, not the round-wide ones it may not see.
      const p3Results = (await server.api(`/api/par/${national}/results?unit=${encodeURIComponent(p3)}`, { headers: localHeaders })).body;
      expect(p3Results.targets.map((t: { node: string }) => t.node)).toEqual(["3"]);
      // Nothing of anyone else's was dropped.
      expect((await server.api(targetsUrl)).body.targets).toHaveLength(4);
      // A department's account sets no targets.
      const adminUser = await server.createUser("admin");
      const admin = await server.signIn(adminUser.username, adminUser.password);
      const dept = await server.createUser("analyst");
      await server.api(`/api/par/agency-members/${dept.username}`, { method: "PUT", json: { agencies: ["stc"] }, headers: admin });
      const deptHeaders = await server.signIn(dept.username, dept.password);
      expect((await server.api(targetsUrl, { method: "PUT", json: { targets: [] }, headers: deptHeaders })).status).toBe(403);
      expect((await server.api(targetsUrl)).body.targets).toHaveLength(4);
    },
  );
});
