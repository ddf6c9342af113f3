/** Turns export parameters (from a URL or the command line) into a checked table and writer options. */
import type { AppContext } from "../app-context.js";
import { Problem } from "../http/problem.js";
import { findRound } from "../rounds/repository.js";
import { getEdition } from "../instruments/repository.js";
import { parseQuery } from "../results/query.js";
import type { Viewer } from "../results/scope.js";
import { resultsBody, resultsWithTargets } from "../results/routes.js";
import { codebookTable, longTable, resultsTable, wideTable, LAYOUTS, type Layout } from "./layouts.js";
import { FORMATS, type Format, type Table, type WriteOptions } from "./writers.js";

const bad = (vi: string, en: string, detail?: unknown) => new Problem("bad_request", undefined, detail, { vi, en });

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === "") return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw bad(`Tham số ${name}="${value}" không hợp lệ; dùng: ${allowed.join(", ")}.`, `Parameter ${name}="${value}" is not valid; use ${allowed.join(", ")}.`, { [name]: value, allowed });
}

export interface ExportRequest {
  table: Table;
  options: WriteOptions;
  filename: string;
}

/**
 * Checks every parameter before the first byte is sent: after that an error can only cut the stream.
 * `viewer` is the caller (rounds and units named are checked by roundAccess before this), null on the command line.
 */
export async function buildExport(ctx: AppContext, roundId: string, layoutParam: string, params: Record<string, string | undefined>, viewer: Viewer): Promise<ExportRequest> {
  const layout = oneOf<Layout>("layout", layoutParam, LAYOUTS, "wide");
  const format = oneOf<Format>("format", params.format, FORMATS, "csv");
  const labels = oneOf("labels", params.labels, ["vi", "en", "none"] as const, "none");
  const sep = oneOf("sep", params.sep, ["comma", "semicolon", "tab"] as const, "comma");
  const decimal = oneOf("decimal", params.decimal, ["point", "comma"] as const, "point");
  const lang = oneOf("lang", params.lang, ["vi", "en"] as const, "vi");
  const options: WriteOptions = {
    format,
    labels: labels === "none" ? null : labels,
    separator: sep === "semicolon" ? ";" : sep === "tab" ? "\t" : ",",
    decimal: decimal === "comma" ? "," : ".",
  };

  const round = await findRound(ctx.db.kysely, roundId);
  if (!round) throw new Problem("round_not_found", undefined, { round: roundId });
  const edition = await getEdition(ctx.db.kysely, round.editionId, round.editionVersion);
  if (!edition) throw new Problem("instrument_not_found");
  let table: Table;
  if (layout === "wide") table = await wideTable(ctx, round, edition.instrument);
  else if (layout === "long") table = await longTable(ctx, round, edition.instrument);
  else if (layout === "codebook") table = codebookTable(edition.instrument);
  else {
    const parsed = await parseQuery(ctx, round.id, params, { viewer });
    const { scored, targets } = await resultsWithTargets(ctx, parsed);
    table = resultsTable({ ...resultsBody(parsed, scored), ...{ targets } }, lang);
  }
  const ext = format === "ndjson" ? "ndjson" : format;
  return { table, options, filename: `${round.id}-${layout}.${ext}` };
}
