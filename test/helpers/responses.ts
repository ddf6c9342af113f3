/** Builds valid submissions for tests, with answers that pass the instrument's logic. */
import { randomUUID } from "node:crypto";
import type { AppContext } from "../../server/app-context.js";
import { latestEdition } from "../../server/instruments/repository.js";
import { generateAnswers } from "../../server/demo/generate.js";
import { seededRng, type Rng } from "../../server/demo/random.js";
import type { SubmissionInput } from "../../shared/api/schemas.js";
import type { Instrument } from "../../shared/instrument/schema.js";
import { DEMO_PROVINCE } from "../../server/demo/seed.js";
import { unitsAtLevel } from "../../server/units/walk.js";

export async function instrumentOf(ctx: AppContext, editionId: string): Promise<Instrument> {
  return (await latestEdition(ctx.db.kysely, editionId))!.instrument;
}

/** Units of the demo province at a level (villages for SIPAS/PAPI, agencies for the leader survey). */
export function demoUnits(ctx: AppContext, level: string): string[] {
  return unitsAtLevel(ctx, DEMO_PROVINCE, level);
}

export function makeSubmission(
  instrument: Instrument,
  unit: string,
  group: string,
  rng: Rng = seededRng(1),
  overrides: Partial<SubmissionInput> = {},
): SubmissionInput & { answers: Record<string, string | number | string[]> } {
  return {
    id: randomUUID(),
    instrument: { id: instrument.id, version: instrument.version },
    unit,
    group,
    channel: "self",
    startedAt: "2026-11-01T08:00:00.000Z",
    submittedAt: "2026-11-01T08:20:00.000Z",
    answers: generateAnswers(instrument, unit, group, rng),
    ...overrides,
  } as SubmissionInput & { answers: Record<string, string | number | string[]> };
}
