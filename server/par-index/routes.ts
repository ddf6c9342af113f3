/**
 * /api/par — the PAR INDEX of a round: self-assessment evidence (save, submit, review, return), the
 * S and C sources and given A scores of each assessed unit, results (total /100 with its A, S and C
 * parts), the below-maximum list and its appendix download, and what-if (nothing stored).
 * Every route is for analysts and administrators, limited to their rounds and units.
 */
import { PassThrough, Readable } from "node:stream";
import type { Context } from "hono";
import type { AppContext, AppEnv } from "../app-context.js";
import { Problem } from "../http/problem.js";
import { currentUser, requireRounds, requireUnits, unitInScope } from "../http/access.js";
import { parseWith, readJson } from "../http/body.js";
import { listRounds } from "../rounds/repository.js";
import { getEdition, listEditions } from "../instruments/repository.js";
import { unitRef } from "../results/service.js";
import { CONTENT_TYPES, writeTable } from "../exports/writers.js";
import { validateAnswers } from "../../shared/instrument/validate.js";
import { whatIf } from "../../shared/scoring/index.js";
import { fieldError } from "../../shared/errors.js";
import {
  AgencyMembersSchema,
  EvidenceSaveSchema,
  ParInputsSchema,
  TransitionSchema,
  WhatIfSchema,
  type AgencyMember,
  type AgencyMemberList,
  type AssessmentReply,
  type ParInputsReply,
  type ParRoundList,
} from "../../shared/api/par-index.js";
import {
  agenciesOf,
  getAssessment,
  getInputs,
  listAgencyMembers,
  listAssessments,
  putInputs,
  saveEvidence,
  setAgencies,
  transitionAssessment,
} from "./repository.js";
import { checkParTargets, saveTargets, visibleTargets } from "./targets.js";
import { TargetsBodySchema } from "../../shared/results/schemas.js";
import type { Text } from "../../shared/i18n.js";
import { findUserByName } from "../accounts/repository.js";
import { audit } from "../accounts/audit.js";

import { allParNodes } from "../../shared/scoring/index.js";
import { isParLeaf } from "../../shared/index-model/par-index.js";
import {
  assessedUnit,
  assessmentGroup,
  belowMaximumRows,
  belowMaximumTable,
  checkPoints,
  checkProposal,
  checkSource,
  leavesOfQuestion,
  loadParRound,
  parResults,
  unitInputs,
  type ParRound,
} from "./service.js";

/** The round in the path (and the unit in the path or query) checked against the caller's scope, then loaded. */
async function scoped(c: Context<AppEnv>, unit: string | undefined): Promise<{ ctx: AppContext; pr: ParRound; unit: string }> {
  const ctx = c.var.ctx;
  const user = currentUser(c);
  const roundId = c.req.param("round") ?? "";
  requireRounds(user, [{ field: "round", value: roundId }]);
  await requireUnits(ctx.units, user, [{ field: "unit", value: unit }]);
  const pr = await loadParRound(ctx, roundId);
  if (!unit)
    throw new Problem("invalid", [fieldError("unit", "required", { vi: "Cần chọn đơn vị được đánh giá (unit=…).", en: "Choose the assessed unit (unit=…)." })]);
  await assessedUnit(ctx, pr, unit);
  return { ctx, pr, unit };
}

const num = (v: string | undefined, field: string): number | undefined => {
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 100)
    throw new Problem("invalid", [
      fieldError(field, "out_of_range", { vi: `${field} phải là số từ 0 đến 100.`, en: `${field} must be a number from 0 to 100.` }),
    ]);
  return n;
};

const departmentOnly = () =>
  new Problem(
    "forbidden",
    undefined,
    { reason: "department account" },
    {
      vi: "Tài khoản của cơ quan chỉ nhập số liệu của tiêu chí được phân công; gửi, duyệt, trả lại và nguồn điểm do Sở Nội vụ thực hiện.",
      en: "A department's account only enters the evidence of its own criteria; submitting, reviewing, returning and score sources are for the Department of Home Affairs.",
    },
  );

/** A department's account may save only the evidence questions of sub-criteria assigned to one of its agencies. */
function checkDepartmentQuestions(pr: ParRound, agencies: string[], questions: string[]): void {
  const allowed = new Set(
    allParNodes(pr.definition.root).flatMap((n) => (isParLeaf(n) && n.source === "A" && n.agencies.some((a) => agencies.includes(a)) ? n.evidence : [])),
  );
  const outside = questions.filter((q) => !allowed.has(q));
  if (outside.length) {
    const text = {
      vi: `Câu hỏi không thuộc tiêu chí được phân công cho ${agencies.join(", ")}.`,
      en: `The question is not evidence of a criterion assigned to ${agencies.join(", ")}.`,
    };
    throw new Problem(
      "forbidden",
      outside.map((q) => fieldError(`answers.${q}`, "forbidden", text)),
      { agencies, questions: outside },
      text,
    );
  }
}

/** Agencies of every stored par-index definition, by code (the first label met). */
async function knownAgencies(ctx: AppContext): Promise<Map<string, { code: string; label: Text; indices: string[] }>> {
  const known = new Map<string, { code: string; label: Text; indices: string[] }>();
  for (const e of await listEditions(ctx.db.kysely)) {
    for (const v of e.versions) {
      const d = (await getEdition(ctx.db.kysely, e.edition_id, v))?.parIndex;
      for (const a of d?.agencies ?? []) {
        const entry = known.get(a.code) ?? { code: a.code, label: a.label, indices: [] };
        if (!entry.indices.includes(d!.id)) entry.indices.push(d!.id);
        known.set(a.code, entry);
      }
    }
  }
  return known;
}

export const parIndexHandlers = {
  // Every bound account and every agency it may be bound to (administrators).
  agencyMembers: async (c: Context<AppEnv>) => {
    const ctx = c.var.ctx;
    const agencies = [...(await knownAgencies(ctx)).values()].sort((a, b) => a.code.localeCompare(b.code));
    return c.json({ members: await listAgencyMembers(ctx.db.kysely), agencies } satisfies AgencyMemberList);
  },

  // Binds a department's account to agencies (administrators); an empty list unbinds it.
  agencyMember: async (c: Context<AppEnv, "/:username">) => {
    const user = await findUserByName(c.var.ctx.db.kysely, c.req.param("username"));
    if (!user) throw new Problem("not_found", undefined, { username: c.req.param("username") });
    return c.json({ username: user.username, agencies: await agenciesOf(c.var.ctx.db.kysely, user.id) } satisfies AgencyMember);
  },

  setAgencyMember: async (c: Context<AppEnv, "/:username">) => {
    const ctx = c.var.ctx;
    const body = parseWith(AgencyMembersSchema, await readJson(c));
    const user = await findUserByName(ctx.db.kysely, c.req.param("username"));
    if (!user) {
      const name = c.req.param("username");
      const text = { vi: `Không có tài khoản "${name}".`, en: `There is no account "${name}".` };
      throw new Problem("not_found", [fieldError("username", "not_found", text)], { username: name }, text);
    }
    const known = await knownAgencies(ctx);
    const errors = body.agencies.flatMap((a, i) =>
      known.has(a)
        ? []
        : [
            fieldError(`agencies.${i}`, "invalid_choice", {
              vi: `Không có cơ quan "${a}" trong bộ chỉ số nào.`,
              en: `No PAR INDEX definition has agency "${a}".`,
            }),
          ],
    );
    if (errors.length) throw new Problem("invalid", errors);
    await setAgencies(ctx.db.kysely, user, [...new Set(body.agencies)], currentUser(c).username);
    return c.json({ username: user.username, agencies: await agenciesOf(ctx.db.kysely, user.id) } satisfies AgencyMember);
  },

  // The PAR INDEX rounds the caller may see.
  rounds: async (c: Context<AppEnv>) => {
    const ctx = c.var.ctx;
    const user = currentUser(c);
    const rounds = [];
    for (const round of await listRounds(ctx.db.kysely)) {
      if (user.role !== "admin" && user.rounds.length > 0 && !user.rounds.includes(round.id)) continue;
      const edition = await getEdition(ctx.db.kysely, round.editionId, round.editionVersion);
      if (!edition?.parIndex) continue;
      rounds.push({ id: round.id, title: round.title, status: round.status, index: edition.parIndex.id, year: edition.parIndex.year, groups: round.groups });
    }
    return c.json({ rounds } satisfies ParRoundList);
  },

  // The definition and form of a round, and its assessed units within the caller's area with their status.
  round: async (c: Context<AppEnv, "/:round">) => {
    const ctx = c.var.ctx;
    const user = currentUser(c);
    requireRounds(user, [{ field: "round", value: c.req.param("round") }]);
    const pr = await loadParRound(ctx, c.req.param("round"));
    // Units at the definition's level in the round's scope (the whole registry when it has none), inside the caller's area.
    const units = ctx.units
      .atLevel(pr.round.registry, pr.definition.unitLevel)
      .filter((u) => (pr.round.scope.length === 0 || pr.round.scope.some((s) => ctx.units.isWithin(u.key, s))) && unitInScope(ctx.units, user, u.key))
      .sort((a, b) => a.code.localeCompare(b.code))
      .map(unitRef);
    const assessments = (await listAssessments(ctx.db.kysely, pr.round.id)).filter((a) => unitInScope(ctx.units, user, a.unit));
    const me = { agencies: await agenciesOf(ctx.db.kysely, user.id) };
    return c.json({
      round: { id: pr.round.id, title: pr.round.title, status: pr.round.status, groups: pr.round.groups },
      definition: pr.definition,
      instrument: pr.instrument,
      units,
      assessments,
      me,
    });
  },

  assessment: async (c: Context<AppEnv, "/:round/:unit/:group">) => {
    const { ctx, pr, unit } = await scoped(c, c.req.param("unit"));
    const group = assessmentGroup(pr, c.req.param("group"));
    const assessment = await getAssessment(ctx.db.kysely, pr.round.id, unit, group);
    return c.json({
      assessment: assessment ?? { round: pr.round.id, unit, group, status: "draft", version: 0, returnReason: null, answers: {}, answered: {} },
    } satisfies AssessmentReply);
  },

  saveAssessment: async (c: Context<AppEnv, "/:round/:unit/:group">) => {
    const { ctx, pr, unit } = await scoped(c, c.req.param("unit"));
    const group = assessmentGroup(pr, c.req.param("group"));
    const body = parseWith(EvidenceSaveSchema, await readJson(c));
    const agencies = await agenciesOf(ctx.db.kysely, currentUser(c).id);
    if (agencies.length) checkDepartmentQuestions(pr, agencies, Object.keys(body.answers));
    const assessment = await saveEvidence(ctx.db.kysely, {
      round: pr.round.id,
      unit,
      group,
      version: body.version,
      answers: body.answers,
      actor: currentUser(c).username,
      validate: (merged) => validateAnswers(pr.instrument, merged).map((e) => ({ ...e, question: `answers.${e.question}` })),
      leavesOf: leavesOfQuestion(pr.definition),
    });
    return c.json({ assessment } satisfies AssessmentReply);
  },

  transition: async (c: Context<AppEnv, "/:round/:unit/:group">) => {
    const { ctx, pr, unit } = await scoped(c, c.req.param("unit"));
    const group = assessmentGroup(pr, c.req.param("group"));
    const body = parseWith(TransitionSchema, await readJson(c));
    if ((await agenciesOf(ctx.db.kysely, currentUser(c).id)).length) throw departmentOnly();
    const assessment = await transitionAssessment(ctx.db.kysely, { round: pr.round.id, unit, group }, body, currentUser(c).username);
    return c.json({ assessment } satisfies AssessmentReply);
  },

  inputs: async (c: Context<AppEnv, "/:round/:unit">) => {
    const { ctx, pr, unit } = await scoped(c, c.req.param("unit"));
    return c.json({ inputs: await getInputs(ctx.db.kysely, pr.round.id, unit) } satisfies ParInputsReply);
  },

  setInputs: async (c: Context<AppEnv, "/:round/:unit">) => {
    const { ctx, pr, unit } = await scoped(c, c.req.param("unit"));
    const user = currentUser(c);
    const body = parseWith(ParInputsSchema, await readJson(c));
    if ((await agenciesOf(ctx.db.kysely, user.id)).length) throw departmentOnly();
    const errors = [
      ...(await checkSource(ctx, user, pr.definition, body.survey, "survey")),
      ...(await checkSource(ctx, user, pr.definition, body.sipas, "sipas")),
      ...Object.entries(body.given).flatMap(([g, points]) => {
        if (!pr.round.groups.includes(g)) return [fieldError(`given.${g}`, "group_not_allowed")];
        return checkPoints(pr.definition, "given", points, `given.${g}`);
      }),
    ];
    if (errors.length) throw new Problem("invalid", errors);
    return c.json({ inputs: await putInputs(ctx.db.kysely, pr.round.id, unit, body, user.username) } satisfies ParInputsReply);
  },

  results: async (c: Context<AppEnv, "/:round">) => {
    const compare = c.req.query("compare") || undefined;
    requireRounds(currentUser(c), [{ field: "compare", value: compare }]);
    const { ctx, pr, unit } = await scoped(c, c.req.query("unit"));
    const group = assessmentGroup(pr, c.req.query("group"));
    return c.json(await parResults(ctx, pr, unit, group, { compare, targetPercent: num(c.req.query("target"), "target"), viewer: currentUser(c) }));
  },

  // Stored targets of the round the caller may see; with unit=, only that unit's.
  targets: async (c: Context<AppEnv, "/:round">) => {
    const ctx = c.var.ctx;
    const user = currentUser(c);
    const unit = c.req.query("unit") || undefined;
    requireRounds(user, [{ field: "round", value: c.req.param("round") }]);
    if (unit) await requireUnits(ctx.units, user, [{ field: "unit", value: unit }]);
    const pr = await loadParRound(ctx, c.req.param("round"));
    const targets = (await visibleTargets(ctx, pr.round.id, user)).filter((t) => !unit || t.unit === unit);
    return c.json({ round: pr.round.id, targets });
  },

  // Replaces the targets the caller may see (with unit=, only that unit's) and keeps every other one.
  setTargets: async (c: Context<AppEnv, "/:round">) => {
    const ctx = c.var.ctx;
    const user = currentUser(c);
    const unit = c.req.query("unit") || undefined;
    requireRounds(user, [{ field: "round", value: c.req.param("round") }]);
    const body = parseWith(TargetsBodySchema, await readJson(c));
    // Round-wide targets (no unit) are for callers who see the whole round.
    await requireUnits(ctx.units, user, [
      ...(unit ? [{ field: "unit", value: unit }] : []),
      ...body.targets.map((t, i) => ({ field: `targets.${i}.unit`, value: t.unit })),
    ]);
    const pr = await loadParRound(ctx, c.req.param("round"));
    if ((await agenciesOf(ctx.db.kysely, user.id)).length) throw departmentOnly();
    const errors = await checkParTargets(ctx, pr, body.targets, unit);
    if (errors.length) throw new Problem("invalid", errors);
    await saveTargets(ctx, pr.round.id, user, unit, body.targets);
    await audit(ctx.db.kysely, user.username, "par.targets.set", unit ? `${pr.round.id}/${unit}` : pr.round.id, { count: body.targets.length });
    const targets = (await visibleTargets(ctx, pr.round.id, user)).filter((t) => !unit || t.unit === unit);
    return c.json({ round: pr.round.id, targets });
  },

  // JSON by default; format=csv|xlsx is the appendix-ready file (labels=vi|en, sep=semicolon, decimal=comma).
  belowMaximum: async (c: Context<AppEnv, "/:round">) => {
    const { ctx, pr, unit } = await scoped(c, c.req.query("unit"));
    const group = assessmentGroup(pr, c.req.query("group"));
    const rows = await belowMaximumRows(ctx, pr, unit, group, currentUser(c));
    const format = c.req.query("format") || "json";
    if (format === "json") return c.json({ round: pr.round.id, unit, group, rows });
    if (format !== "csv" && format !== "xlsx")
      throw new Problem("invalid", [
        fieldError("format", "invalid_choice", { vi: "format phải là json, csv hoặc xlsx.", en: "format must be json, csv or xlsx." }),
      ]);
    const lang = c.req.query("labels") === "en" ? "en" : "vi";
    const filename = `${pr.round.id}-duoi-toi-da-${unit.replace(/[^A-Za-z0-9-]/g, "-")}.${format}`;
    const out = new PassThrough();
    const table = belowMaximumTable(rows, lang, lang === "vi" ? "Dưới tối đa" : "Below maximum");
    writeTable(table, out, {
      format,
      labels: lang,
      separator: c.req.query("sep") === "semicolon" ? ";" : ",",
      decimal: c.req.query("decimal") === "comma" ? "," : ".",
    }).catch((error: unknown) => out.destroy(error as Error));
    return new Response(Readable.toWeb(out) as ReadableStream<Uint8Array>, {
      headers: {
        "content-type": CONTENT_TYPES[format],
        "content-disposition": `attachment; filename="${filename}"`,
        "cache-control": "no-store",
      },
    });
  },

  // Recomputes with proposed values over the stored inputs; nothing is written.
  whatIf: async (c: Context<AppEnv, "/:round">) => {
    const raw = await readJson(c);
    const body = parseWith(WhatIfSchema, raw);
    const { ctx, pr, unit } = await scoped(c, body.unit);
    const group = assessmentGroup(pr, body.group, "group");
    const { inputs } = await unitInputs(ctx, pr, unit, group, currentUser(c));
    const errors = checkProposal(pr, body.proposal);
    if (body.proposal.evidence) {
      const merged = { ...inputs.evidence, ...body.proposal.evidence };
      const proposed = new Set(Object.keys(body.proposal.evidence));
      errors.push(
        ...validateAnswers(pr.instrument, merged)
          .filter((e) => proposed.has(e.question))
          .map((e) => ({ ...e, question: `proposal.evidence.${e.question}` })),
      );
    }
    if (errors.length) throw new Problem("invalid", errors);
    const { base, proposed, changes } = whatIf(pr.definition, inputs, body.proposal);
    return c.json({ round: pr.round.id, unit, group, base: base.root, proposed: proposed.root, changes });
  },
};
