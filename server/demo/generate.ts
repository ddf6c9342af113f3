/**
 * Synthetic responses for demonstrations and benchmarks. Answers vary realistically: each unit and
 * each respondent group has its own level of satisfaction, each question its own difficulty, so
 * results, ranks and dashboards show differences worth looking at. Every generated response
 * passes the same validation as a real one (relevance, required, constraints).
 */
import type { AnswerableQuestion, Answers, Instrument } from "../../shared/instrument/schema.js";
import { answerableQuestions, choicesOf } from "../../shared/instrument/walk.js";
import { formLogic, relevantAnswers, type LogicOptions } from "../../shared/instrument/logic.js";
import { validateAnswers } from "../../shared/instrument/validate.js";
import { hashString, seededRng, type Rng } from "./random.js";

export interface GeneratedResponse {
  unit: string;
  group: string;
  answers: Answers;
}

/** Unit and group effects on the logit of satisfaction: stable per key, spread ~±1. */
export function effect(key: string, spread: number): number {
  const r = seededRng(hashString(key));
  return r.normal() * spread;
}

function sampleAnswer(instrument: Instrument, q: AnswerableQuestion, quality: number, rng: Rng): Answers[string] | undefined {
  switch (q.type) {
    case "rating": {
      const scale = instrument.scales[q.scale]!;
      if (scale.outside.length && rng.next() < 0.04) return rng.pick(scale.outside).code;
      // Latent satisfaction → scale point, noisy around the cell's quality.
      const latent = 1 / (1 + Math.exp(-(quality + effect(q.id, 0.5) + rng.normal() * 1.1)));
      const idx = Math.min(scale.points.length - 1, Math.floor(latent * scale.points.length));
      return scale.points[idx]!.code;
    }
    case "single": {
      const choices = choicesOf(instrument, q);
      const outside = choices.filter((c) => c.outside);
      const inside = choices.filter((c) => !c.outside);
      if (outside.length && rng.next() < 0.03) return rng.pick(outside).code;
      // Favour earlier choices when quality is high: yes/no questions list the good answer first.
      const bias = 1 / (1 + Math.exp(-quality));
      const idx = rng.next() < bias ? 0 : rng.int(0, inside.length - 1);
      return inside[idx]!.code;
    }
    case "multiple": {
      const choices = choicesOf(instrument, q).filter((c) => !c.outside);
      const k = Math.min(q.maxSelected ?? 2, rng.int(1, 2), choices.length);
      const picked = new Set<string>();
      while (picked.size < k) picked.add(rng.pick(choices).code);
      return choices.map((c) => c.code).filter((c) => picked.has(c));
    }
    case "integer":
      return rng.int(q.min ?? 0, q.max ?? Math.max(q.min ?? 0, 10));
    case "decimal": {
      const min = q.min ?? 0;
      const max = q.max ?? min + 10;
      return Math.round((min + rng.next() * (max - min)) * 10) / 10;
    }
    case "text":
      return q.required === true ? "Không có ý kiến thêm" : rng.next() < 0.1 ? "Ý kiến minh họa cho dữ liệu mẫu" : undefined;
    case "date": {
      const day = 1 + rng.int(0, 27);
      return `2025-${String(rng.int(1, 12)).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
    }
  }
}

/**
 * For a whole number that broke its constraint: one that keeps it, given the other answers (an age
 * inside the age group chosen), drawn at random from the question's range; undefined if none.
 */
function fittingNumber(instrument: Instrument, q: AnswerableQuestion, answers: Answers, options: LogicOptions, rng: Rng): number | undefined {
  if (q.type !== "integer" || q.constraint === undefined) return undefined;
  const min = q.min ?? 0;
  const max = q.max ?? min + 100;
  if (max - min > 1000) return undefined;
  const logic = formLogic(instrument, answers, options);
  const fitting: number[] = [];
  for (let v = min; v <= max; v++) if (logic.constraintHolds(q.id, v)) fitting.push(v);
  return fitting.length ? rng.pick(fitting) : undefined;
}

/** `shift` moves the unit's satisfaction on the logit scale (an earlier year, a weaker unit). */
export function generateAnswers(instrument: Instrument, unit: string, group: string, rng: Rng, shift = 0): Answers {
  const quality = 0.9 + effect(`unit:${unit}`, 0.7) + effect(`group:${group}`, 0.35) + shift;
  const draft: Answers = {};
  const questions = answerableQuestions(instrument).map((item) => item.question);
  for (const q of questions) {
    const value = sampleAnswer(instrument, q, quality, rng);
    if (value !== undefined) draft[q.id] = value;
  }
  const options = { respondent: { group, unit } };
  let answers = relevantAnswers(instrument, draft, options);
  // Resample answers that break a constraint; drop them when they still do and are optional.
  for (let attempt = 0; attempt < 4; attempt++) {
    const errors = validateAnswers(instrument, answers, options);
    if (errors.length === 0) return answers;
    for (const e of errors) {
      const q = questions.find((x) => x.id === e.question);
      if (!q) continue;
      const value = attempt < 3 ? (fittingNumber(instrument, q, answers, options, rng) ?? sampleAnswer(instrument, q, quality, rng)) : undefined;
      if (value === undefined) delete answers[q.id];
      else answers[q.id] = value;
    }
    answers = relevantAnswers(instrument, answers, options);
  }
  return answers;
}

export function* generateResponses(
  instrument: Instrument,
  units: readonly string[],
  groups: readonly string[],
  count: number,
  seed = 2022,
  /** Per unit, added to its satisfaction (0: none). */
  shift: (unit: string) => number = () => 0,
): Generator<GeneratedResponse> {
  const rng = seededRng(seed);
  for (let i = 0; i < count; i++) {
    const unit = units[i % units.length]!;
    // Most respondents are in the first group (citizens); leader groups are spread evenly.
    const group = groups.length === 1 ? groups[0]! : rng.pick(groups);
    yield { unit, group, answers: generateAnswers(instrument, unit, group, rng, shift(unit)) };
  }
}
