/** Scored trees as analysts read them: display values, small-cell suppression, walks and lookups. */
import type { IndexDefinition, IndexNode } from "../index-model/schema.js";
import type { NodeResult } from "../scoring/engine.js";
import type { Display, ResultNode } from "./types.js";

/** The engine's tree with each node's value in the index's display measure. */
export function toResultTree(node: NodeResult, display: Display): ResultNode {
  const { children, ...rest } = node;
  return {
    ...rest,
    value: valueOf(node, display),
    ...(children ? { children: children.map((c) => toResultTree(c, display)) } : {}),
  };
}

/** Percent for a percent index; points for a points index (percent where a node has no maximum). */
export function valueOf(node: { percent: number | null; points: number | null; max: number | null }, display: Display): number | null {
  if (display === "points" && node.max !== null) return node.points;
  return node.percent;
}

/** Below the minimum cell size no value is shown, so that a small group cannot be singled out. */
export function suppressTree(node: ResultNode): ResultNode {
  return {
    ...node,
    percent: null,
    points: null,
    value: null,
    valid: 0,
    answered: 0,
    ...(node.children ? { children: node.children.map(suppressTree) } : {}),
  };
}

export function walk<T extends { children?: T[] }>(
  node: T,
  visit: (node: T, depth: number, parent: T | null) => void,
  depth = 0,
  parent: T | null = null,
): void {
  visit(node, depth, parent);
  for (const child of node.children ?? []) walk(child, visit, depth + 1, node);
}

export function nodeMap<T extends { code: string; children?: T[] }>(root: T): Map<string, T> {
  const map = new Map<string, T>();
  walk(root, (n) => map.set(n.code, n));
  return map;
}

/** Level names of an index from the root down, in the order they first appear. */
export function levelsOf(index: IndexDefinition): string[] {
  const levels: string[] = [];
  walk<IndexNode>(index.root, (n) => {
    if (!levels.includes(n.level)) levels.push(n.level);
  });
  return levels;
}

/**
 * The level analysts assign remedial work at (the rows of the seeds' appendix tables): the deepest
 * level whose nodes carry a maximum (PAPI sub-dimensions), else the leaf level (SIPAS sub-criteria).
 */
export function defaultWorkLevel(index: IndexDefinition): string {
  const levels = levelsOf(index);
  let withMax: string | null = null;
  walk<IndexNode>(index.root, (n) => {
    if (n.max !== undefined && n !== index.root && (withMax === null || levels.indexOf(n.level) > levels.indexOf(withMax))) withMax = n.level;
  });
  const leafLevel = levels[levels.length - 1]!;
  if (withMax === null) return leafLevel;
  // A points index with maxima down to the leaves: the leaves themselves.
  return withMax;
}
