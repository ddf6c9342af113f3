/**
 * ODK's XForms engine fills and submits each 2022 edition to chiso over real HTTP: the form comes
 * from /openrosa/formList, its units CSV from the manifest; relevance in the engine equals chiso's
 * own; the instance goes to /openrosa/submission and is stored once even when sent again; and the
 * results equal those of the same answers sent through the native endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { demoUnits, instrumentOf, makeSubmission } from "../helpers/responses.js";
import { seededRng } from "../../server/demo/random.js";
import { basic, elementText, fill, formList, expectSameRelevance, loadListedForm, submit } from "./helpers.js";

const EDITIONS = ["sipas-2022", "papi-2022", "par-leaders-2022"] as const;
const PER_EDITION = 6; // above the minimum cell size of 5, so the totals are shown

describe("ODK's XForms engine collects into chiso", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("sqlite");
  });
  afterAll(async () => {
    await server.close();
  });

  for (const editionId of EDITIONS) {
    it(`fills, submits and resends ${editionId}; results equal the native path`, { timeout: 120_000 }, async () => {
      const instrument = await instrumentOf(server.ctx, editionId);
      const viaOdk = await server.createRound(editionId);
      const native = await server.createRound(editionId);
      const enumerator = await server.createUser("enumerator", { rounds: [viaOdk] });
      const auth = basic(enumerator.username, enumerator.password);

      // The enumerator sees the round assigned to them, and only it.
      const forms = await formList(server, auth);
      expect(forms.map((f) => f.formID)).toEqual([viaOdk]);
      const form = await loadListedForm(forms[0]!, auth);
      expect(form.result.status).toBe("success");
      expect(`md5:${(await import("node:crypto")).createHash("md5").update(form.xml).digest("hex")}`).toBe(forms[0]!.hash);

      const units = demoUnits(server.ctx, instrument.unitLevel).slice(0, 2);
      const groups = instrument.respondentGroups.map((g) => g.code);
      const rng = seededRng(2022);
      let compared = 0;
      for (let k = 0; k < PER_EDITION; k++) {
        const unit = units[k % units.length]!;
        const group = groups[k % groups.length]!;
        const sample = makeSubmission(instrument, unit, group, rng);
        const lineage = server.ctx.units
          .lineage(unit)
          .map((u) => u.key)
          .reverse();
        const filled = await fill(form, instrument, lineage, group, sample.answers);
        compared += expectSameRelevance(instrument, sample.answers, filled.nodes);

        const payload = await filled.root.prepareInstancePayload();
        expect(payload.violations ?? []).toEqual([]);
        expect(payload.status).toBe("ready");
        const file = payload.data[0].get("xml_submission_file");
        const instanceXml = await file.text();
        const instanceId = elementText(instanceXml, "instanceID")!.replace(/^uuid:/, "");

        const first = await submit(server, auth, file);
        expect(first.status, first.text).toBe(201);
        expect(first.text).toContain('<message nature="submit_success">');
        expect(first.headers.get("x-openrosa-version")).toBe("1.0");
        const receipt = /receipt="([^"]+)"/.exec(first.text)![1];

        // ODK Collect resends when it lost the answer: the same receipt, nothing stored twice.
        const again = await submit(server, auth, file);
        expect(again.status, again.text).toBe(202);
        expect(/receipt="([^"]+)"/.exec(again.text)![1]).toBe(receipt);

        // Stored exactly as the answers chiso's own form would have sent.
        const row = await server.ctx.db.kysely
          .selectFrom("responses")
          .select(["payload_json", "channel", "enumerator_id", "unit_key", "group_code"])
          .where("id", "=", instanceId)
          .executeTakeFirstOrThrow();
        const stored = JSON.parse(row.payload_json) as { answers: Record<string, unknown> };
        expect(stored.answers).toEqual(sample.answers);
        expect([row.channel, row.enumerator_id, row.unit_key, row.group_code]).toEqual(["enumerator", enumerator.username, unit, group]);

        const sent = await server.api(`/api/rounds/${native}/responses`, { json: { ...sample, answers: sample.answers } });
        expect(sent.status, JSON.stringify(sent.body)).toBe(201);
      }
      expect(compared).toBeGreaterThan(0);

      const count = await server.ctx.db.kysely
        .selectFrom("responses")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("round_id", "=", viaOdk)
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(PER_EDITION);

      const admin = await server.createUser("admin");
      const headers = await server.signIn(admin.username, admin.password);
      const results = async (round: string) => {
        const res = await server.api(`/api/rounds/${round}/results`, { headers });
        expect(res.status).toBe(200);
        // Statistics are sums over responses, which the two doors store in different orders:
        // compared to 12 significant digits, not to the last bit.
        return JSON.parse(JSON.stringify(res.body).replaceAll(round, "ROUND"), (_key, value: unknown) =>
          typeof value === "number" && !Number.isInteger(value) ? Number(value.toPrecision(12)) : value,
        ) as unknown;
      };
      const [odk, direct] = [await results(viaOdk), await results(native)];
      expect(odk).toEqual(direct);
      expect((odk as { responses: number }).responses).toBe(PER_EDITION);
    });
  }

  it("hides what chiso hides when an answer changes, transitively (PAPI)", { timeout: 120_000 }, async () => {
    const instrument = await instrumentOf(server.ctx, "papi-2022");
    const round = await server.createRound("papi-2022");
    const enumerator = await server.createUser("enumerator", { rounds: [round] });
    const auth = basic(enumerator.username, enumerator.password);
    const form = await loadListedForm((await formList(server, auth))[0]!, auth);
    const unit = demoUnits(server.ctx, "village")[0]!;
    const lineage = server.ctx.units
      .lineage(unit)
      .map((u) => u.key)
      .reverse();
    const answers = {
      ...makeSubmission(instrument, unit, "citizen", seededRng(3)).answers,
      consent: "agree",
      d2_budget_posted: "yes",
      d2_budget_read: "yes",
      d2_budget_trust: "3",
    };
    const filled = await fill(form, instrument, lineage, "citizen", answers);
    expectSameRelevance(instrument, answers, filled.nodes);
    expect(filled.nodes.get("/data/d2_transparency/d2_budget_trust")!.currentState.relevant).toBe(true);

    // Not posted: "read" goes, and with it "trust", which hangs on "read".
    filled.nodes.get("/data/d2_transparency/d2_budget_posted")!.selectValue!("no");
    const changed = { ...answers, d2_budget_posted: "no" };
    expectSameRelevance(instrument, changed, filled.nodes);
    expect(filled.nodes.get("/data/d2_transparency/d2_budget_trust")!.currentState.relevant).toBe(false);

    // Declining the interview hides every section after the opening.
    filled.nodes.get("/data/opening/consent")!.selectValue!("decline");
    expectSameRelevance(instrument, { ...changed, consent: "decline" }, filled.nodes);
    expect(filled.nodes.get("/data/d8_egovernance")!.currentState.relevant).toBe(false);
  });
});
