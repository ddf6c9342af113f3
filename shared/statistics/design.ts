/**
 * A round's sampling design (strata, PSUs, where weights come from, FPC, lonely-PSU rule) and its
 * validation against the sample: every problem names what is wrong, in Vietnamese and English.
 */
import type { LonelyPsu } from "./linearisation.js";
import { LONELY_PSU_RULES } from "./linearisation.js";

/** Where the weights come from. */
export type WeightSource =
  /** Given per response (missing: 1); relative weights, so design effects are against SRS with replacement. */
  | { kind: "given" }
  /** 1 / Π inclusion probabilities from the sample targets and each sampled unit's population. */
  | { kind: "design"; firstStage: "srs" | "pps" }
  /** Design or given weights calibrated to population counts of cells (one margin) … */
  | { kind: "postStratified"; variables: string[] }
  /** … or to several margins by raking. */
  | { kind: "raked"; margins: string[][] };

export interface SamplingDesign {
  /** The unit level whose units are the PSUs ("village", "commune"), or "respondent" for element sampling. */
  psuLevel: string;
  /** The unit level (or attribute) whose units are the strata; null: one stratum. */
  strataLevel: string | null;
  weights: WeightSource;
  /** Finite population correction at the first stage: PSUs in the population of each stratum. */
  fpc?: Record<string, number>;
  lonelyPsu: LonelyPsu;
}

export type DesignProblemCode =
  | "psu_in_two_strata"
  | "lonely_psu"
  | "unknown_lonely_rule"
  | "population_not_positive"
  | "sample_not_positive"
  | "sample_exceeds_population"
  | "fpc_below_sample"
  | "fpc_missing"
  | "weight_not_positive"
  | "margin_missing_cell"
  | "margin_cell_not_in_sample"
  | "margin_totals_differ";

export interface DesignProblem {
  code: DesignProblemCode;
  /** What it concerns: "PSU V03", "stratum S6", "margin sex × age". */
  path: string;
  /** The offending value(s), as text. */
  detail: string;
  message: { vi: string; en: string };
  /** Warnings do not stop estimation (a lonely PSU under a rule that handles it). */
  severity: "error" | "warning";
}

const MESSAGES: Record<DesignProblemCode, { vi: string; en: string }> = {
  psu_in_two_strata: { vi: "Một đơn vị mẫu cấp 1 (PSU) thuộc hai tầng khác nhau.", en: "A primary sampling unit (PSU) is in two different strata." },
  lonely_psu: {
    vi: "Tầng chỉ có một đơn vị mẫu cấp 1 (PSU): không ước lượng được phương sai trong tầng.",
    en: "The stratum has only one primary sampling unit (PSU): its variance cannot be estimated.",
  },
  unknown_lonely_rule: {
    vi: "Quy tắc xử lý tầng một PSU phải là fail, remove, certainty, adjust hoặc average.",
    en: "The lonely-PSU rule must be fail, remove, certainty, adjust or average.",
  },
  population_not_positive: { vi: "Quy mô tổng thể phải là số dương.", en: "The population size must be positive." },
  sample_not_positive: { vi: "Cỡ mẫu phải là số dương.", en: "The sample size must be positive." },
  sample_exceeds_population: { vi: "Cỡ mẫu lớn hơn quy mô tổng thể.", en: "The sample is larger than the population." },
  fpc_below_sample: {
    vi: "Số PSU trong tổng thể của tầng nhỏ hơn số PSU đã chọn.",
    en: "The stratum's population has fewer PSUs than were sampled.",
  },
  fpc_missing: {
    vi: "Thiếu số PSU trong tổng thể của tầng (hiệu chỉnh tổng thể hữu hạn).",
    en: "The stratum's population PSU count (finite population correction) is missing.",
  },
  weight_not_positive: { vi: "Trọng số phải là số dương.", en: "A weight must be positive." },
  margin_missing_cell: {
    vi: "Có người trả lời thuộc ô không có trong số liệu tổng thể (hoặc ô có dân số bằng 0).",
    en: "Respondents fall in a cell that the population counts do not have (or give as zero).",
  },
  margin_cell_not_in_sample: {
    vi: "Ô có dân số trong tổng thể nhưng không có người trả lời: không hiệu chỉnh được.",
    en: "A cell with population has no respondent: it cannot be calibrated.",
  },
  margin_totals_differ: { vi: "Tổng các biên dân số không bằng nhau.", en: "The population margins do not have the same total." },
};

export function problem(code: DesignProblemCode, path: string, detail: string, severity: "error" | "warning" = "error"): DesignProblem {
  const m = MESSAGES[code];
  return { code, path, detail, severity, message: { vi: `${path}: ${m.vi} (${detail})`, en: `${path}: ${m.en} (${detail})` } };
}

/** A sampled PSU as the sample shows it: its stratum (null for an unstratified design) and its responses' weights. */
export interface SampledPsu {
  psu: string;
  stratum: string | null;
}

/**
 * Checks a design against the sample: a PSU seen in two strata, strata with one PSU (an error under
 * "fail", a warning naming the rule otherwise), FPC counts missing or below the sample, weights ≤ 0.
 */
export function validateDesign(design: SamplingDesign, sample: Iterable<SampledPsu & { weight?: number | null }>): DesignProblem[] {
  const problems: DesignProblem[] = [];
  if (!LONELY_PSU_RULES.includes(design.lonelyPsu)) problems.push(problem("unknown_lonely_rule", "lonelyPsu", String(design.lonelyPsu)));
  const stratumOf = new Map<string, string>();
  const psusOf = new Map<string, Set<string>>();
  const reported = new Set<string>();
  let badWeights = 0;
  for (const s of sample) {
    const stratum = s.stratum ?? "";
    const seen = stratumOf.get(s.psu);
    if (seen === undefined) stratumOf.set(s.psu, stratum);
    else if (seen !== stratum && !reported.has(s.psu)) {
      reported.add(s.psu);
      problems.push(problem("psu_in_two_strata", `PSU ${s.psu}`, `${seen}, ${stratum}`));
    }
    let set = psusOf.get(stratum);
    if (!set) psusOf.set(stratum, (set = new Set()));
    set.add(s.psu);
    if (s.weight !== undefined && s.weight !== null && !(s.weight > 0 && Number.isFinite(s.weight))) badWeights++;
  }
  if (badWeights > 0) problems.push(problem("weight_not_positive", "weights", `${badWeights} responses`));
  for (const [stratum, set] of psusOf) {
    const path = `stratum ${stratum || "(one)"}`;
    if (set.size === 1) {
      const rule = design.lonelyPsu;
      problems.push(problem("lonely_psu", path, `${[...set][0]}; rule ${rule}`, rule === "fail" ? "error" : "warning"));
    }
    if (design.fpc) {
      const population = design.fpc[stratum];
      if (population === undefined) problems.push(problem("fpc_missing", path, "—"));
      else if (!(population > 0)) problems.push(problem("population_not_positive", path, `${population}`));
      else if (population < set.size) problems.push(problem("fpc_below_sample", path, `${population} < ${set.size}`));
    }
  }
  return problems;
}
