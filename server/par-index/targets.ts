/**
 * Targets of a PAR INDEX round ("≥ 87% of the maximum, top 25 nationally", 000:21), stored with the
 * round in the results feature's `index_targets` (the same Target schema), checked against the
 * par-index definition, and evaluated for one unit and group: the points needed and the ranks needed.
 */
import type { ParTargetResult } from "../../shared/api/par-index.js";
import type { AppContext } from "../app-context.js";
import type { User } from "../accounts/repository.js";
import { getTargets, replaceTargets } from "../results/repository.js";
import { targetFilter } from "../results/scope.js";
import type { Target } from "../../shared/results/schemas.js";
import { allParNodes, type ParNodeResult } from "../../shared/scoring/index.js";
import { fieldError, type FieldError } from "../../shared/errors.js";
import type { ParRound } from "./service.js";

const EPS = 1e-9;

/** The stored targets of a round the caller may see: its area's units, and round-wide ones for whole-round callers (docs/security.md). */
export async function visibleTargets(ctx: AppContext, roundId: string, user: User): Promise<Target[]> {
  const stored = (await getTargets(ctx.db.kysely, roundId)).targets;
  return stored.filter(await targetFilter(ctx, user, stored));
}

/**
 * Replaces the caller's visible targets (only those of `unit` when given) with `incoming`, keeping
 * every other one, in one transaction.
 */
export async function saveTargets(ctx: AppContext, roundId: string, user: User, unit: string | undefined, incoming: Target[]): Promise<void> {
  const stored = (await getTargets(ctx.db.kysely, roundId)).targets;
  const visible = await targetFilter(ctx, user, stored);
  await replaceTargets(ctx.db.kysely, ctx.db.dialect, roundId, (t) => visible(t) && (unit === undefined || t.unit === unit), incoming);
}

/** What a PAR round's target may be: a value (percent of the node's maximum by default, or points) or a rank of the total. */
export async function checkParTargets(ctx: AppContext, pr: ParRound, targets: readonly Target[], unit: string | undefined): Promise<FieldError[]> {
  const nodes = new Map(allParNodes(pr.definition.root).map((n) => [n.code, n]));
  const errors: FieldError[] = [];
  for (const [i, t] of targets.entries()) {
    const at = `targets.${i}`;
    if (t.kind !== "value" && t.kind !== "rank") {
      errors.push(
        fieldError(`${at}.kind`, "invalid_choice", {
          vi: "Mục tiêu của Chỉ số CCHC là một mức điểm (value) hoặc một thứ hạng (rank).",
          en: "A PAR INDEX target is a value or a rank.",
        }),
      );
      continue;
    }
    if (unit !== undefined && t.unit !== unit) {
      errors.push(
        fieldError(`${at}.unit`, "invalid_field", {
          vi: `Mục tiêu phải của đơn vị ${unit} (unit=${unit}).`,
          en: `The target must be for unit ${unit} (unit=${unit}).`,
        }),
      );
    }
    if (t.unit) {
      const u = await ctx.units.get(t.unit);
      const inRound = u && (pr.round.scope.length === 0 ? u.registry === pr.round.registry : pr.round.scope.some((s) => ctx.units.isWithin(t.unit!, s)));
      if (!u || u.level !== pr.definition.unitLevel || !inRound) {
        errors.push(
          fieldError(`${at}.unit`, "unit_not_in_scope", {
            vi: `"${t.unit}" không phải đơn vị được đánh giá của đợt ${pr.round.id}.`,
            en: `"${t.unit}" is not an assessed unit of round ${pr.round.id}.`,
          }),
        );
      }
    }
    if (t.group && !pr.round.groups.includes(t.group)) {
      errors.push(
        fieldError(`${at}.group`, "group_not_allowed", {
          vi: `Nhóm phải là một trong: ${pr.round.groups.join(", ")}.`,
          en: `The group must be one of: ${pr.round.groups.join(", ")}.`,
        }),
      );
    }
    const node = nodes.get(t.node);
    if (!node) {
      errors.push(
        fieldError(`${at}.node`, "invalid_field", {
          vi: `Không có tiêu chí "${t.node}" trong ${pr.definition.id}.`,
          en: `There is no node "${t.node}" in ${pr.definition.id}.`,
        }),
      );
      continue;
    }
    if (t.kind === "value") {
      const limit = (t.measure ?? "percent") === "percent" ? 100 : node.max;
      if (t.value > limit + EPS) {
        errors.push(
          fieldError(`${at}.value`, "out_of_range", {
            vi: `Mục tiêu của ${t.node} phải từ 0 đến ${limit}.`,
            en: `The target of ${t.node} must be from 0 to ${limit}.`,
          }),
        );
      }
    } else {
      // Ranks are among the units entered in the round, on the total.
      if (t.node !== pr.definition.root.code) {
        errors.push(
          fieldError(`${at}.node`, "invalid_field", {
            vi: `Thứ hạng chỉ xếp theo tổng điểm (${pr.definition.root.code}).`,
            en: `Ranks are of the total (${pr.definition.root.code}) only.`,
          }),
        );
      }
      if (t.peers) {
        errors.push(
          fieldError(`${at}.peers`, "invalid_field", {
            vi: "Thứ hạng của Chỉ số CCHC là trong các đơn vị đã nhập của đợt; không dùng nhóm so sánh.",
            en: "A PAR INDEX rank is among the units entered in the round; peer groups do not apply.",
          }),
        );
      }
    }
  }
  return errors;
}

/**
 * The targets that concern a unit and group: a unit's own target replaces a round-wide one of the
 * same kind and node; a target without a group applies to both groups.
 */
export function applicableTargets(targets: readonly Target[], unit: string, group: string): Target[] {
  const relevant = targets.filter((t) => (t.kind === "value" || t.kind === "rank") && (!t.unit || t.unit === unit) && (!t.group || t.group === group));
  const key = (t: Target) => `${t.kind}:${"node" in t ? t.node : ""}`;
  const own = new Set(relevant.filter((t) => t.unit).map(key));
  return relevant.filter((t) => t.unit || !own.has(key(t)));
}

/**
 * Evaluates value and rank targets on a scored tree. `others` are the totals of the other units
 * entered in the round (same group): the points a rank target needs are those of the unit now at
 * that rank.
 */
export function evaluateParTargets(
  targets: readonly Target[],
  nodes: Map<string, ParNodeResult>,
  rank: { rank: number | null; of: number },
  others: number[],
  decimals: number,
): ParTargetResult[] {
  const round = (x: number) => Math.round(x * 10 ** decimals) / 10 ** decimals;
  const out: ParTargetResult[] = [];
  for (const t of targets) {
    if (t.kind !== "value" && t.kind !== "rank") continue;
    const node = nodes.get(t.node);
    if (!node) continue;
    const common = { node: t.node, label: node.label, unit: t.unit ?? null, group: t.group ?? null };
    if (t.kind === "value") {
      const measure = t.measure ?? "percent";
      const goalPoints = measure === "percent" ? (node.max * t.value) / 100 : t.value;
      const current = node.points;
      const needed = current === null ? null : Math.max(0, goalPoints - current);
      out.push({
        kind: "value",
        ...common,
        measure,
        goal: t.value,
        goalPoints,
        current,
        met: needed === null ? null : needed < EPS,
        pointsNeeded: needed,
        ranksNeeded: null,
      });
      continue;
    }
    const current = rank.rank;
    const sorted = [...others].sort((a, b) => b - a);
    // Reaching the total of the unit now at rank `goal` shares that rank (competition ranking).
    const goalPoints = sorted.length >= t.rank ? sorted[t.rank - 1]! : null;
    const points = node.points;
    const met = current === null ? null : current <= t.rank;
    out.push({
      kind: "rank",
      ...common,
      measure: "rank",
      goal: t.rank,
      goalPoints,
      current,
      met,
      ranksNeeded: current === null ? null : Math.max(0, current - t.rank),
      pointsNeeded: points === null ? null : met ? 0 : goalPoints === null ? 0 : Math.max(0, round(goalPoints) - round(points)),
      ...(rank.of < t.rank ? { note: "fewer_units" } : {}),
    });
  }
  return out;
}
