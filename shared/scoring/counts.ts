/**
 * Pre-aggregated answer counts: per question, per answer code, the count, weight sum and
 * weight² sum. The server keeps these as rollups so it can score millions of responses
 * without reading them; the scoring engine accepts them directly.
 */
import type { Answers, Instrument } from "../instrument/schema.js";

export interface CodeTally {
  n: number;
  w: number;
  w2: number;
}

/** Counts for one cell (a unit, a group, or any union of them). Plain objects so they serialise. */
export interface AnswerCounts {
  responses: CodeTally;
  questions: Record<string, Record<string, CodeTally>>;
}

export function emptyCounts(): AnswerCounts {
  return { responses: { n: 0, w: 0, w2: 0 }, questions: {} };
}

function addTally(target: CodeTally, n: number, w: number, w2: number): void {
  target.n += n;
  target.w += w;
  target.w2 += w2;
}

/** The (question, code) pairs a response contributes to rollups: one per coded answer, one per selected code. */
export function codedAnswers(answers: Answers, codedQuestions: ReadonlySet<string>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [question, value] of Object.entries(answers)) {
    if (!codedQuestions.has(question)) continue;
    if (Array.isArray(value)) for (const code of value) out.push([question, code]);
    else if (typeof value === "string") out.push([question, value]);
  }
  return out;
}

/** Questions whose answers are codes (rating, single and multiple choice): these are rolled up. */
export function codedQuestionIds(instrument: Instrument): Set<string> {
  const ids = new Set<string>();
  for (const section of instrument.sections) {
    for (const item of section.items) {
      if (item.type === "grid") for (const row of item.rows) ids.add(row.id);
      else if (item.type === "rating" || item.type === "single" || item.type === "multiple") ids.add(item.id);
    }
  }
  return ids;
}

export function addResponseToCounts(counts: AnswerCounts, answers: Answers, codedQuestions: ReadonlySet<string>, weight = 1): void {
  addTally(counts.responses, 1, weight, weight * weight);
  for (const [question, code] of codedAnswers(answers, codedQuestions)) {
    const byCode = (counts.questions[question] ??= {});
    addTally((byCode[code] ??= { n: 0, w: 0, w2: 0 }), 1, weight, weight * weight);
  }
}

export function countResponses(instrument: Instrument, responses: Iterable<{ answers: Answers; weight?: number | null }>): AnswerCounts {
  const coded = codedQuestionIds(instrument);
  const counts = emptyCounts();
  for (const r of responses) addResponseToCounts(counts, r.answers, coded, r.weight ?? 1);
  return counts;
}
