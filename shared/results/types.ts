/**
 * Shapes of the results API (index trees, breakdowns, ranks, comparisons, targets, progress), shared
 * by the server that builds them and the dashboard that reads them: the types of the schemas in
 * shared/api/results.ts, never restated. Types only: no runtime code.
 */
import type { z } from "zod";
import type {
  BreakdownRowSchema,
  ComparisonInfoSchema,
  MappingReportSchema,
  ProgressResponseSchema,
  RankingResponseSchema,
  RankingRowSchema,
  ResultsReplySchema,
  ResultsResponseSchema,
  TargetFlagSchema,
  TargetResultSchema,
  UnitRefSchema,
  WeakRowSchema,
} from "../api/results.js";
import type { ResultNode } from "../api/results.js";

export type Display = "percent" | "points";
export type Measure = Display;

export type UnitRef = z.infer<typeof UnitRefSchema>;
/** A node of a scored tree with what analysts read beside it (its uncertainty, rank, change, target). */
export type { ResultNode };
export type ScoredCell = Pick<ResultsResponse, "responses" | "weightedResponses" | "suppressed" | "root" | "derived">;
export type BreakdownRow = z.infer<typeof BreakdownRowSchema>;
export type MappingReport = z.infer<typeof MappingReportSchema>;
export type ComparisonInfo = z.infer<typeof ComparisonInfoSchema>;
export type ResultsResponse = z.infer<typeof ResultsResponseSchema>;
/** GET /api/rounds/:id/results: the tree with the targets that apply to it. */
export type ResultsReply = z.infer<typeof ResultsReplySchema>;
export type RankingRow = z.infer<typeof RankingRowSchema>;
export type RankingResponse = z.infer<typeof RankingResponseSchema>;
export type TargetFlag = z.infer<typeof TargetFlagSchema>;
export type TargetResult = z.infer<typeof TargetResultSchema>;
export type WeakRow = z.infer<typeof WeakRowSchema>;
export type ProgressResponse = z.infer<typeof ProgressResponseSchema>;
