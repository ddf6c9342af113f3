/**
 * Minimum cell size and complementary suppression of published figures (docs/anonymity.md,
 * "Small cells").
 *
 * A figure is the result over a set of responses: a unit's subtree (or the whole round) × one
 * respondent group (or all groups). Every figure with 0 < n < minimum is suppressed (primary).
 * Complementary suppression then makes sure no sum or difference of published figures gives back
 * a suppressed one. For every partition of a published figure into the figures it is the sum of —
 * a unit's figure into its groups, a unit's figure (per group and for all groups) into its child
 * units — the rule is, until nothing changes:
 *
 *   the suppressed children of a published parent hold either no responses, or at least the
 *   minimum number of responses in total spread over at least two children;
 *
 * otherwise the published child with the fewest responses is suppressed too (or, when no child
 * is left to suppress, the parent is). With two or more suppressed figures in every row and
 * column that has any, no suppressed figure is determined by the published ones (each lies on a
 * cycle of suppressed figures), and whatever the published ones determine is a total of at least
 * the minimum number of responses.
 *
 * Applied to invitation (anonymous) rounds; other rounds keep primary suppression only.
 */
import type { UnitDirectory } from "../units/directory.js";
import type { Cell } from "./counts.js";

/** null unit: the whole round; null group: all groups. */
export type FigureKey = `${string}|${string}`;
export const figureKey = (unit: string | null, group: string | null): FigureKey => `${unit ?? "*"}|${group ?? "*"}`;

export interface Suppression {
  /** Whether the figure (unit subtree × group) must show no value. */
  suppressed(unit: string | null, group: string | null): boolean;
  /** Responses behind a figure (for tests and reports). */
  responses(unit: string | null, group: string | null): number;
}

/**
 * Decides, once for the whole round, which figures are suppressed: the same figure is suppressed
 * whichever query asks for it, so two queries cannot be subtracted either.
 */
export function complementarySuppression(cells: readonly Cell[], units: UnitDirectory, roots: readonly string[], minCellSize: number): Suppression {
  const n = new Map<FigureKey, number>();
  const add = (unit: string | null, group: string | null, count: number) => n.set(figureKey(unit, group), (n.get(figureKey(unit, group)) ?? 0) + count);
  const children = new Map<string | null, Set<string>>();
  const groups = new Set<string>();
  for (const cell of cells) {
    groups.add(cell.group);
    // The cell's unit and its ancestors up to (and including) the round's scope roots.
    const lineage: string[] = [];
    let key: string | null = cell.unit;
    while (key) {
      lineage.push(key);
      if (roots.includes(key)) break;
      key = units.getCached(key)?.parentKey ?? null;
      if (key && roots.length === 0 && !units.getCached(key)) break;
    }
    for (const u of lineage) {
      add(u, cell.group, cell.n);
      add(u, null, cell.n);
    }
    add(null, cell.group, cell.n);
    add(null, null, cell.n);
    let parent: string | null = null;
    for (const u of [...lineage].reverse()) {
      const set = children.get(parent) ?? new Set<string>();
      set.add(u);
      children.set(parent, set);
      parent = u;
    }
  }
  const size = (k: FigureKey) => n.get(k) ?? 0;

  // Every partition: parent figure → the figures it is the sum of.
  const partitions: Array<{ parent: FigureKey; parts: FigureKey[] }> = [];
  const allUnits: Array<string | null> = [null, ...new Set([...children.values()].flatMap((s) => [...s]))];
  for (const unit of allUnits) {
    partitions.push({ parent: figureKey(unit, null), parts: [...groups].map((g) => figureKey(unit, g)) });
    const kids = [...(children.get(unit) ?? [])];
    if (kids.length === 0) continue;
    for (const g of [null, ...groups]) partitions.push({ parent: figureKey(unit, g), parts: kids.map((c) => figureKey(c, g)) });
  }

  const hidden = new Set<FigureKey>();
  for (const [k, count] of n) if (count > 0 && count < minCellSize) hidden.add(k);
  for (let changed = true; changed; ) {
    changed = false;
    for (const { parent, parts } of partitions) {
      if (hidden.has(parent) || size(parent) === 0) continue;
      const nonEmpty = parts.filter((p) => size(p) > 0);
      const suppressed = nonEmpty.filter((p) => hidden.has(p));
      if (suppressed.length === 0) continue;
      const mass = suppressed.reduce((s, p) => s + size(p), 0);
      if (mass >= minCellSize && suppressed.length >= 2) continue;
      const candidates = nonEmpty.filter((p) => !hidden.has(p)).sort((a, b) => size(a) - size(b) || (a < b ? -1 : 1));
      hidden.add(candidates[0] ?? parent);
      changed = true;
    }
  }
  return {
    suppressed: (unit, group) => hidden.has(figureKey(unit, group)),
    responses: (unit, group) => size(figureKey(unit, group)),
  };
}
