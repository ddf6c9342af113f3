/**
 * A round's sampling design: stored as JSON per round (round_designs), the default when none is
 * declared, each response cell's PSU and stratum from the unit hierarchy, and the checks a design
 * must pass before it is saved (every problem a 422 naming its field, in Vietnamese and English).
 */
import type { Kysely } from "kysely";
import type { AppContext } from "../app-context.js";
import type { Database } from "../db/types.js";
import { Problem } from "../http/problem.js";
import { fieldError, type FieldError } from "../../shared/errors.js";
import { SamplingDesignSchema, type DesignResponse, type SamplingDesignBody, type SamplingDesignInput } from "../../shared/api/design.js";
import { validateDesign, type DesignProblem } from "../../shared/statistics/design.js";
import { PLACE_LEVELS } from "../../shared/units/levels.js";
import type { VarianceDesign } from "../../shared/statistics/linearisation.js";
import type { Round } from "../rounds/repository.js";
import type { Cell } from "./counts.js";
import { roundCells } from "./counts.js";

const DEPTH: Record<string, number> = { province: 0, district: 1, commune: 2, village: 3, agency: 3 };

export interface RoundDesign {
  design: SamplingDesignBody;
  /** False: the round declares none, and the default is in force (PSU = the response's own unit, one stratum). */
  declared: boolean;
}

/**
 * Without a declared design every response's unit is a PSU, there is one stratum and weights are as
 * given. The lonely-PSU rule is R's default, "fail": a round with a single unit then has no SE.
 */
export function defaultDesign(unitLevel: string): SamplingDesignBody {
  const level = (unitLevel in DEPTH ? unitLevel : "village") as SamplingDesignBody["psuLevel"];
  return SamplingDesignSchema.parse({ psuLevel: level, strataLevel: null, lonelyPsu: "fail" });
}

export async function loadDesign(db: Kysely<Database>, round: Round, unitLevel: string): Promise<RoundDesign> {
  const row = await db.selectFrom("round_designs").select("design_json").where("round_id", "=", round.id).executeTakeFirst();
  if (!row) return { design: defaultDesign(unitLevel), declared: false };
  return { design: SamplingDesignSchema.parse(JSON.parse(row.design_json)), declared: true };
}

export async function storeDesign(db: Kysely<Database>, roundId: string, design: SamplingDesignBody): Promise<void> {
  const values = { round_id: roundId, design_json: JSON.stringify(design), updated_at: new Date().toISOString() };
  await db
    .insertInto("round_designs")
    .values(values)
    .onConflict((oc) => oc.column("round_id").doUpdateSet({ design_json: values.design_json, updated_at: values.updated_at }))
    .execute();
}

/** Where a cell's unit sits in the design; null when its unit is above the PSU level (no PSU). */
export interface Placement {
  psu: string;
  stratum: string;
}

/**
 * The PSU and stratum of a response unit. A declared design names levels (the unit or its ancestor);
 * the default takes the unit itself as the PSU, whatever its level.
 */
export function placer(ctx: AppContext, rd: RoundDesign): (unit: string) => Placement | null {
  const cache = new Map<string, Placement | null>();
  return (unit) => {
    let p = cache.get(unit);
    if (p !== undefined) return p;
    const psu = rd.declared ? (ctx.units.ancestorAt(unit, rd.design.psuLevel)?.key ?? null) : unit;
    const stratum = rd.design.strataLevel ? (ctx.units.ancestorAt(psu ?? unit, rd.design.strataLevel)?.key ?? null) : "";
    p = psu !== null && stratum !== null ? { psu, stratum } : null;
    cache.set(unit, p);
    return p;
  };
}

/** The design-wide part of the variance from every cell of the round: PSUs per stratum (all groups), FPC. */
export function varianceDesign(rd: RoundDesign, cells: readonly Cell[], place: (unit: string) => Placement | null): VarianceDesign {
  const psus = new Map<string, Set<string>>();
  for (const cell of cells) {
    if (cell.n <= 0) continue;
    const p = place(cell.unit);
    if (!p) continue;
    let set = psus.get(p.stratum);
    if (!set) psus.set(p.stratum, (set = new Set()));
    set.add(p.psu);
  }
  return {
    psusPerStratum: new Map([...psus].map(([s, set]) => [s, set.size])),
    lonelyPsu: rd.design.lonelyPsu,
    ...(rd.design.fpc ? { populationPsus: new Map(Object.entries(rd.design.fpc)) } : {}),
  };
}

/** A level and the levels above it (agencies hang under provinces). */
function abovesOf(level: string): string[] {
  if (level === "agency") return ["agency", "province"];
  const i = (PLACE_LEVELS as readonly string[]).indexOf(level);
  return i < 0 ? [level] : PLACE_LEVELS.slice(0, i + 1);
}

const invalid = (errors: FieldError[]) => new Problem("invalid", errors);
const err = (field: string, vi: string, en: string) => fieldError(field, "invalid_field", { vi, en });

/** The field of the design body a problem of shared/statistics/design.ts concerns. */
function fieldOf(p: DesignProblem): string {
  if (p.code === "lonely_psu" || p.code === "unknown_lonely_rule") return "lonelyPsu";
  if (p.code.startsWith("fpc") || p.code === "population_not_positive") return `fpc.${p.path.replace(/^stratum /, "").replace("(one)", "")}`;
  if (p.code === "psu_in_two_strata") return "strataLevel";
  return "weights";
}

/**
 * Checks a design body against the round: levels the registry has, PSUs at or above the level
 * responses are kept at (rollups hold nothing finer), strata above the PSUs, and against the sample
 * collected so far (a stratum with one PSU under "fail", FPC counts). Returns the warnings.
 */
export async function checkDesign(
  ctx: AppContext,
  round: Round,
  unitLevel: string,
  body: unknown,
): Promise<{ design: SamplingDesignBody; warnings: DesignResponse["warnings"] }> {
  const parsed = SamplingDesignSchema.safeParse(body);
  if (!parsed.success) {
    throw invalid(
      parsed.error.issues.map((i) => {
        const field = i.path.join(".") || "design";
        return err(field, `Thiết kế mẫu: trường "${field}" không hợp lệ (${i.message}).`, `Sampling design: field "${field}" is not valid (${i.message}).`);
      }),
    );
  }
  const design = parsed.data;
  const errors: FieldError[] = [];
  const has = (level: string) => ctx.units.atLevel(round.registry, level).length > 0 || level === unitLevel;
  if (!has(design.psuLevel)) {
    errors.push(
      err(
        "psuLevel",
        `Danh mục ${round.registry} không có đơn vị cấp "${design.psuLevel}".`,
        `Registry ${round.registry} has no units at level "${design.psuLevel}".`,
      ),
    );
  }
  // Rollups are kept per response unit (an invitation round's per province), so a PSU below it
  // (households) cannot be summed: the PSU is that unit or one of its ancestors.
  const keptAt = round.modes.includes("invitation") ? "province" : unitLevel;
  if (!abovesOf(keptAt).includes(design.psuLevel)) {
    errors.push(
      err(
        "psuLevel",
        `PSU phải là đơn vị nơi lưu câu trả lời (${keptAt}) hoặc cấp trên của nó, không phải "${design.psuLevel}".`,
        `The PSU must be the unit responses are kept at (${keptAt}) or a level above it, not "${design.psuLevel}".`,
      ),
    );
  }
  if (design.strataLevel !== null) {
    if (!has(design.strataLevel)) {
      errors.push(
        err(
          "strataLevel",
          `Danh mục ${round.registry} không có đơn vị cấp "${design.strataLevel}".`,
          `Registry ${round.registry} has no units at level "${design.strataLevel}".`,
        ),
      );
    } else if (DEPTH[design.strataLevel]! >= DEPTH[design.psuLevel]!) {
      errors.push(
        err(
          "strataLevel",
          `Tầng (cấp "${design.strataLevel}") phải ở trên cấp của PSU ("${design.psuLevel}").`,
          `Strata (level "${design.strataLevel}") must be above the PSU level ("${design.psuLevel}").`,
        ),
      );
    }
  }
  if (errors.length) throw invalid(errors);

  const rd: RoundDesign = { design, declared: true };
  const place = placer(ctx, rd);
  const cells = await roundCells(ctx.db.kysely, round.id);
  for (const cell of cells) if (!ctx.units.getCached(cell.unit)) await ctx.units.get(cell.unit);
  const sample = cells
    .filter((c) => c.n > 0)
    .flatMap((c) => {
      const p = place(c.unit);
      return p ? [{ psu: p.psu, stratum: design.strataLevel ? p.stratum : null }] : [];
    });
  const unplaced = cells.filter((c) => c.n > 0 && !place(c.unit)).length;
  if (unplaced > 0) {
    errors.push(
      err(
        "psuLevel",
        `${unplaced} ô trả lời không thuộc đơn vị nào ở cấp "${design.psuLevel}".`,
        `${unplaced} response cells have no unit at level "${design.psuLevel}" above them.`,
      ),
    );
  }
  const problems = validateDesign(design, sample);
  if (design.fpc) {
    const strata = new Set(sample.map((s) => s.stratum ?? ""));
    for (const key of Object.keys(design.fpc)) {
      if (sample.length > 0 && !strata.has(key)) {
        errors.push(
          err(
            `fpc.${key}`,
            `Hiệu chỉnh tổng thể hữu hạn cho tầng "${key}" không có trong mẫu.`,
            `The finite population correction names stratum "${key}", which the sample does not have.`,
          ),
        );
      }
    }
  }
  for (const p of problems) if (p.severity === "error") errors.push(fieldError(fieldOf(p), "invalid_field", p.message));
  if (errors.length) throw invalid(errors);
  const warnings = problems
    .filter((p) => p.severity === "warning")
    .map((p) => ({ code: p.code, path: p.path, message_vi: p.message.vi, message_en: p.message.en }));
  return { design, warnings };
}

/** The design in force and what the sample shows about it. */
export async function describeDesign(ctx: AppContext, round: Round, unitLevel: string): Promise<DesignResponse> {
  const rd = await loadDesign(ctx.db.kysely, round, unitLevel);
  const cells = await roundCells(ctx.db.kysely, round.id);
  for (const cell of cells) if (!ctx.units.getCached(cell.unit)) await ctx.units.get(cell.unit);
  const vd = varianceDesign(rd, cells, placer(ctx, rd));
  const lonely = [...vd.psusPerStratum].filter(([, n]) => n === 1).map(([s]) => s);
  const sample = cells
    .filter((c) => c.n > 0)
    .flatMap((c) => {
      const p = placer(ctx, rd)(c.unit);
      return p ? [{ psu: p.psu, stratum: rd.design.strataLevel ? p.stratum : null }] : [];
    });
  const warnings = validateDesign(rd.design, sample).map((p) => ({ code: p.code, path: p.path, message_vi: p.message.vi, message_en: p.message.en }));
  return {
    round: round.id,
    declared: rd.declared,
    design: rd.design,
    sample: { strata: vd.psusPerStratum.size, psus: [...vd.psusPerStratum.values()].reduce((s, n) => s + n, 0), lonelyStrata: lonely },
    warnings,
  };
}

export type { SamplingDesignInput };

/**
 * The demo rounds' two-stage designs. SIPAS: villages (PSUs) within communes (strata), households in
 * each village. PAPI: communes (PSUs, one stratum: the province), villages and households in them.
 * "adjust" for the communes where only one demo village has answers so far.
 */
export function demoDesign(editionId: string): SamplingDesignBody | null {
  if (editionId.startsWith("sipas")) return SamplingDesignSchema.parse({ psuLevel: "village", strataLevel: "commune", lonelyPsu: "adjust" });
  if (editionId.startsWith("papi")) return SamplingDesignSchema.parse({ psuLevel: "commune", strataLevel: null, lonelyPsu: "adjust" });
  return null;
}
