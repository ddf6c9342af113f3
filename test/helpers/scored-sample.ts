/** Respondents as the statistics core reads them: each one's score on every leaf, from its answers and the leaves' score tables. */
import type { IndexDefinition } from "../../shared/index-model/schema.js";
import type { Answers, Instrument } from "../../shared/instrument/schema.js";
import { leafScoreTables } from "../../shared/scoring/index.js";
import type { ScoredRespondent } from "../../shared/statistics/index.js";

export function scoredSample(
  index: IndexDefinition,
  instrument: Instrument,
  leaves: readonly string[],
  responses: ReadonlyArray<{ stratum: string; psu: string; weight: number; answers: Answers }>,
): ScoredRespondent[] {
  const tables = leafScoreTables(index, instrument);
  return responses.map((r) => ({
    stratum: r.stratum,
    psu: r.psu,
    weight: r.weight,
    scores: leaves.map((code) => {
      const t = tables.get(code)!;
      const a = r.answers[t.question];
      return typeof a === "string" ? (t.scores.get(a) ?? null) : null;
    }),
  }));
}
