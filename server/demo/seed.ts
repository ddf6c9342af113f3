/**
 * Demo set-up on an empty database: villages and agencies for one province (clearly marked as
 * demo data), one open round per instrument and a closed one for the year before (so year on year,
 * rank changes and "+10 points over last year" targets show on first start), and synthetic
 * responses so the dashboard has content.
 */
import { randomUUID } from "node:crypto";
import type { AppContext } from "../app-context.js";
import { latestEdition } from "../instruments/repository.js";
import { insertRound, findRound, listRounds, setRoundStatus, type Round } from "../rounds/repository.js";
import { insertUnits, toUnitInfo, type UnitRow } from "../units/repository.js";
import { effect, generateResponses } from "./generate.js";
import { replaceTargets } from "../results/repository.js";
import { prepareSubmission } from "../responses/prepare.js";
import { progressBar } from "../lib/progress.js";
import { createUser, findUserByName } from "../accounts/repository.js";
import { randomToken } from "../lib/secrets.js";
import { unitsAtLevel } from "../units/walk.js";
import { setTargets } from "../rounds/repository.js";
import { ensureDemoParRound } from "../par-index/demo.js";
import { REPO_ROOT } from "../config.js";
import { addDemoInvitations } from "../invitations/demo.js";
import path from "node:path";
import { demoDesign, storeDesign } from "../results/design.js";

/** Thành phố Huế (province code 46 in both registries) — the seeds include its 2022 results. */
export const DEMO_PROVINCE = "2025:46";

const DEMO_AGENCIES: Array<[string, string]> = [
  ["SNV", "Sở Nội vụ"],
  ["STP", "Sở Tư pháp"],
  ["STC", "Sở Tài chính"],
  ["SYT", "Sở Y tế"],
  ["SGD", "Sở Giáo dục và Đào tạo"],
  ["SXD", "Sở Xây dựng"],
  ["SNN", "Sở Nông nghiệp và Môi trường"],
  ["SKH", "Sở Khoa học và Công nghệ"],
  ["HDND", "Hội đồng nhân dân thành phố"],
  ["VPUB", "Văn phòng Ủy ban nhân dân thành phố"],
];

/** Two demo villages in each commune of the demo province, and ten agencies. */
export async function ensureDemoUnits(ctx: AppContext): Promise<void> {
  const province = await ctx.units.get(DEMO_PROVINCE);
  if (!province) return;
  const communes = ctx.units.childrenOf(province.key).filter((u) => u.level === "commune");
  const rows: UnitRow[] = [];
  for (const commune of communes) {
    for (const n of [1, 2]) {
      rows.push({
        key: `${commune.key}-D${n}`,
        registry: commune.registry,
        code: `${commune.code}-D${n}`,
        level: "village",
        name: `Thôn mẫu ${n}`,
        fullName: `Thôn mẫu ${n}, ${commune.fullName}`,
        type: "Thôn",
        nameEn: `Demo village ${n}`,
        parentKey: commune.key,
        validFrom: commune.validFrom,
        validTo: commune.validTo,
      });
    }
  }
  for (const [code, name] of DEMO_AGENCIES) {
    rows.push({
      key: `${province.registry}:A-${code}`,
      registry: province.registry,
      code: `A-${code}`,
      level: "agency",
      name,
      fullName: `${name} (${province.name})`,
      type: "Cơ quan",
      nameEn: null,
      parentKey: province.key,
      validFrom: province.validFrom,
      validTo: province.validTo,
    });
  }
  await insertUnits(ctx.db.kysely, rows);
  ctx.units.remember(rows.map(toUnitInfo));
}

/** An enumerator account for trying the enumerator app on the demo rounds; its password is printed once. */
export async function ensureDemoEnumerator(ctx: AppContext): Promise<{ username: string; password: string } | null> {
  const username = "dieutravien";
  if (await findUserByName(ctx.db.kysely, username)) return null;
  const password = randomToken(9);
  await createUser(ctx.db.kysely, { username, displayName: "Điều tra viên (mẫu)", role: "enumerator", password });
  return { username, password };
}

/**
 * The level each demo index sets its "+10 points over last year" rule at: the plans' "every
 * sub-criterion" (SIPAS components, PAPI sub-dimensions, the leader survey's areas).
 */
const RULE_LEVEL: Record<string, string> = { "sipas-2022": "component", "papi-2022": "subdimension", "par-leaders-2022": "area" };

export async function ensureDemoRounds(ctx: AppContext, responsesPerRound: number, surveysDir = path.join(REPO_ROOT, "surveys")): Promise<Round[]> {
  if ((await listRounds(ctx.db.kysely)).length > 0) return [];
  await ensureDemoUnits(ctx);
  const created: Round[] = [];
  const year = new Date().getUTCFullYear();
  for (const editionId of ["sipas-2022", "papi-2022", "par-leaders-2022"]) {
    const edition = await latestEdition(ctx.db.kysely, editionId);
    if (!edition) continue;
    const { instrument } = edition;
    // Last year's round first, closed: the same questionnaire, most units a little less satisfied
    // and some more, so that changes and ranks move as they do between two real years.
    const previous = await createDemoRound(ctx, editionId, {
      id: `${editionId}-demo-previous`,
      title: { vi: `${instrument.title.vi} — đợt mẫu năm ${year - 1}`, en: `${instrument.title.en} — demo round, ${year - 1}` },
      period: [`${year - 1}-01-01`, `${year - 1}-12-31`],
      responses: responsesPerRound,
      seed: 2021,
      shift: (unit) => -0.3 + effect(`year:${unit}`, 0.35),
    });
    await setRoundStatus(ctx.db.kysely, previous.id, "closed");
    created.push({ ...previous, status: "closed" });
    const current = await createDemoRound(ctx, editionId, {
      id: `${editionId}-demo`,
      title: { vi: `${instrument.title.vi} — đợt mẫu`, en: `${instrument.title.en} — demo round` },
      period: null,
      responses: responsesPerRound,
      seed: 2022,
    });
    created.push(current);
    const level = RULE_LEVEL[editionId];
    if (level) {
      await replaceTargets(ctx.db.kysely, ctx.db.dialect, current.id, () => true, [{ kind: "rule", level, delta: 10, measure: "percent", base: previous.id }]);
    }
  }
  // Huế's 2022 PAR INDEX: the dashboard shows its 86.55/100 with the three parts.
  const par = await ensureDemoParRound(ctx, surveysDir);
  if (par) created.push(par);
  return created;
}

async function createDemoRound(
  ctx: AppContext,
  editionId: string,
  options: {
    id: string;
    title: { vi: string; en: string };
    period: [string, string] | null;
    responses: number;
    seed: number;
    shift?: (unit: string) => number;
  },
): Promise<Round> {
  const { instrument } = (await latestEdition(ctx.db.kysely, editionId))!;
  await insertRound(ctx.db.kysely, {
    id: options.id,
    title: options.title,
    edition: instrument.id,
    version: instrument.version,
    status: "open",
    periodStart: options.period?.[0] ?? null,
    periodEnd: options.period?.[1] ?? null,
    registry: "2025",
    scope: [DEMO_PROVINCE],
    groups: instrument.respondentGroups.map((g) => g.code),
    // The leader survey is invitation-only: one anonymous response per invitee (docs/anonymity.md).
    modes: instrument.unitLevel === "agency" ? ["invitation"] : ["public", "enumerator"],
    minCellSize: 5,
  });
  const round = (await findRound(ctx.db.kysely, options.id))!;
  const design = demoDesign(editionId);
  if (design) await storeDesign(ctx.db.kysely, options.id, design);
  // Sample targets like the real surveys': a few interviews per village.
  // (None for the invitation round: its responses are kept per province, never per agency.)
  if (instrument.unitLevel !== "agency")
    await setTargets(
      ctx.db.kysely,
      options.id,
      unitsAtLevel(ctx, DEMO_PROVINCE, instrument.unitLevel).map((unitKey) => ({ unitKey, group: "", target: 4 })),
    );
  if (options.responses > 0 || round.modes.includes("invitation")) await addDemoResponses(ctx, round, options.responses, options.seed, options.shift);
  return round;
}

/** Generates responses for a round through the same preparation and store as real submissions. */
export async function addDemoResponses(ctx: AppContext, round: Round, count: number, seed = 2022, shift?: (unit: string) => number): Promise<number> {
  // An invitation round gets demo invitees and anonymous responses, stored as real ones are.
  if (round.modes.includes("invitation")) return addDemoInvitations(ctx, round, count, seed);
  const edition = await latestEdition(ctx.db.kysely, round.editionId);
  if (!edition) return 0;
  const { instrument } = edition;
  const units = (round.scope.length ? round.scope : []).flatMap((s) => unitsAtLevel(ctx, s, instrument.unitLevel));
  if (units.length === 0) throw new Error(`round ${round.id} has no ${instrument.unitLevel} units in its scope; import them first`);
  const bar = progressBar(`demo ${round.id}`, count);
  let stored = 0;
  let batch: Promise<unknown>[] = [];
  const now = new Date().toISOString();
  for (const g of generateResponses(instrument, units, round.groups, count, seed, shift)) {
    const prepared = await prepareSubmission(
      ctx,
      round.id,
      {
        id: randomUUID(),
        instrument: { id: instrument.id, version: instrument.version },
        unit: g.unit,
        group: g.group,
        channel: "enumerator",
        submittedAt: now,
        answers: g.answers,
      },
      { allowedChannels: ["enumerator"] },
    );
    batch.push(ctx.store.store(prepared).then(() => bar.update(++stored)));
    if (batch.length >= 500) {
      await Promise.all(batch);
      batch = [];
    }
  }
  await Promise.all(batch);
  bar.done();
  return stored;
}
