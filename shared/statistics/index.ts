/** Design-based statistics: pure functions from per-PSU sums to estimates with SE, CI, deff and effective n. */
export * from "./distributions.js";
export * from "./linearisation.js";
export * from "./estimates.js";
export * from "./sums.js";
export * from "./design.js";
export * from "./calibration.js";
export * from "./raking-variance.js";
export * from "./compare.js";
export * from "./tree.js";
