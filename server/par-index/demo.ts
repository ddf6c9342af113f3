/**
 * The demo PAR INDEX round of `chiso serve`: Thừa Thiên Huế's 2022 self-assessment entered by its
 * departments and reviewed, the council's scores, and the published leader-survey and SIPAS values,
 * so the dashboard shows the 86.55/100 the province was ranked on (surveys/par-index-2022/demo-hue-2022.json).
 */
import fs from "node:fs";
import path from "node:path";
import type { AppContext } from "../app-context.js";
import { latestEdition } from "../instruments/repository.js";
import { findRound, insertRound, type Round } from "../rounds/repository.js";
import { validateAnswers } from "../../shared/instrument/validate.js";
import { allParNodes } from "../../shared/scoring/index.js";
import { isParLeaf } from "../../shared/index-model/par-index.js";
import type { Answers } from "../../shared/instrument/schema.js";
import { putInputs, saveEvidence, transitionAssessment } from "./repository.js";
import { leavesOfQuestion } from "./service.js";

interface DemoData {
  unit: string;
  evidence: Record<string, Answers>;
  councilScores: Record<string, number>;
  leaderItems: Record<string, number>;
  sipas: Record<string, number>;
}

export const DEMO_PAR_ROUND = "par-index-2022-demo";

/** Creates the round with its data once; does nothing when the edition, the data or the unit is missing. */
export async function ensureDemoParRound(ctx: AppContext, surveysDir: string): Promise<Round | null> {
  const db = ctx.db.kysely;
  const edition = await latestEdition(db, "par-index-2022");
  const file = path.join(surveysDir, "par-index-2022", "demo-hue-2022.json");
  if (!edition?.parIndex || !fs.existsSync(file) || (await findRound(db, DEMO_PAR_ROUND))) return null;
  const data = JSON.parse(fs.readFileSync(file, "utf8")) as DemoData;
  if (!(await ctx.units.get(data.unit))) return null;
  const { instrument, parIndex } = edition;
  await insertRound(db, {
    id: DEMO_PAR_ROUND,
    title: { vi: `${parIndex.title.vi} — Thừa Thiên Huế (mẫu)`, en: `${parIndex.title.en} — Thừa Thiên Huế (demo)` },
    edition: instrument.id,
    version: instrument.version,
    // Closed to survey responses: a self-assessment is entered through /api/par, never as a response.
    status: "closed",
    periodStart: null,
    periodEnd: null,
    registry: "2025",
    scope: [data.unit],
    groups: instrument.respondentGroups.map((g) => g.code),
    modes: ["enumerator"],
    minCellSize: 1,
  });
  const cell = { round: DEMO_PAR_ROUND, unit: data.unit, group: "tu-danh-gia" as const };
  const leavesOf = leavesOfQuestion(parIndex);
  for (const [agency, answers] of Object.entries(data.evidence)) {
    await saveEvidence(db, { ...cell, version: 0, answers, actor: `demo:${agency}`, validate: (merged) => validateAnswers(instrument, merged), leavesOf });
  }
  const version = Object.keys(data.evidence).length;
  await transitionAssessment(db, cell, { action: "submit", version }, "demo:snv");
  await transitionAssessment(db, cell, { action: "review", version: version + 1 }, "demo:snv");
  const atMaximum = Object.fromEntries(
    allParNodes(parIndex.root)
      .filter((n) => isParLeaf(n) && n.source === "A" && !(n.code in data.councilScores))
      .map((n) => [n.code, n.max]),
  );
  await putInputs(
    db,
    DEMO_PAR_ROUND,
    data.unit,
    {
      version: 0,
      survey: { published: data.leaderItems },
      sipas: { published: data.sipas },
      given: { "tham-dinh": { ...atMaximum, ...data.councilScores }, "tu-danh-gia": atMaximum },
    },
    "demo:snv",
  );
  return (await findRound(db, DEMO_PAR_ROUND))!;
}
