/** A round looked up for a request, and the form payload its respondents (and its invitees) are sent. */
import type { AppContext } from "../app-context.js";
import { Problem } from "../http/problem.js";
import type { FormPayload } from "../../shared/api/rounds.js";
import { getEdition } from "../instruments/repository.js";
import { findRound, summarise, type Round } from "./repository.js";

export async function roundOr404(ctx: AppContext, id: string): Promise<Round> {
  const round = await findRound(ctx.db.kysely, id);
  if (!round) throw new Problem("round_not_found");
  return round;
}

export async function buildFormPayload(ctx: AppContext, round: Round): Promise<FormPayload> {
  const edition = await getEdition(ctx.db.kysely, round.editionId, round.editionVersion);
  if (!edition) throw new Problem("instrument_not_found");
  const { instrument, index } = edition;
  let fixedUnit: FormPayload["fixedUnit"] = null;
  if (round.scope.length === 1) {
    const unit = await ctx.units.get(round.scope[0]!);
    if (unit && unit.level === instrument.unitLevel) fixedUnit = { key: unit.key, name: unit.fullName };
  }
  return {
    round: summarise(round, instrument.title),
    instrument,
    index: index ? { id: index.id, title: index.title } : null,
    groups: instrument.respondentGroups.filter((g) => round.groups.includes(g.code)).map((g) => ({ code: g.code, label: g.label })),
    fixedUnit,
  };
}
