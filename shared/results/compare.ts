/**
 * Year on year: matching the nodes of two editions of an index and attaching the earlier values,
 * deltas in value and in rank to every node. A node continues the earlier node named by its
 * `continues` code; without one, the node with the same code. Nodes without a counterpart are
 * marked (counterpart: null) and earlier nodes nobody continues are listed as removed.
 */
import type { IndexDefinition, IndexNode } from "../index-model/schema.js";
import type { Text } from "../i18n.js";
import type { ResultNode } from "./types.js";
import { nodeMap, walk } from "./tree.js";

export interface NodeMatching {
  /** Current code → earlier code (null when the node is new). */
  counterpart: Map<string, string | null>;
  added: string[];
  removed: Array<{ code: string; label: Text }>;
}

/** How the nodes of `current` continue those of `earlier` (rule: `continues`, else the same code). */
export function matchNodes(current: IndexDefinition, earlier: IndexDefinition): NodeMatching {
  const earlierNodes = nodeMap<IndexNode>(earlier.root);
  const counterpart = new Map<string, string | null>();
  const used = new Set<string>();
  const added: string[] = [];
  walk<IndexNode>(current.root, (node) => {
    const wanted = node.continues ?? node.code;
    // An earlier node is continued at most once: the first claimant (in tree order) gets it.
    const match = earlierNodes.has(wanted) && !used.has(wanted) ? wanted : null;
    if (match) used.add(match);
    else added.push(node.code);
    counterpart.set(node.code, match);
  });
  const removed: NodeMatching["removed"] = [];
  walk<IndexNode>(earlier.root, (node) => {
    if (!used.has(node.code)) removed.push({ code: node.code, label: node.label });
  });
  return { counterpart, added, removed };
}

const minus = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a === null || a === undefined || b === null || b === undefined ? null : a - b;

/**
 * Attaches the earlier tree's values to the current tree. The rank delta is earlier − current, so a
 * positive number means places gained (33rd → 30th = +3), as the seeds write "tăng 3 bậc".
 */
export function attachPrevious(current: ResultNode, earlier: ResultNode | null, matching: NodeMatching): ResultNode {
  const earlierNodes = earlier ? nodeMap(earlier) : new Map<string, ResultNode>();
  const visit = (node: ResultNode): ResultNode => {
    const code = matching.counterpart.get(node.code) ?? null;
    const before = code ? (earlierNodes.get(code) ?? null) : null;
    const previous = before ? { value: before.value, percent: before.percent, points: before.points, rank: before.rank ?? null } : null;
    return {
      ...node,
      counterpart: code,
      previous,
      delta: previous ? { value: minus(node.value, previous.value), rank: minus(previous.rank, node.rank) } : null,
      ...(node.children ? { children: node.children.map(visit) } : {}),
    };
  };
  return visit(current);
}
