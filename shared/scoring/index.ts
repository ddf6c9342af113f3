/** The scoring engine's public surface. */
export * from "./engine.js";
export * from "./counts.js";
export { checkIndex, leafScoreTables, leaves, allNodes, type IndexProblem, type LeafScores } from "./leaves.js";
export * from "./format.js";
export * from "./par-index.js";
