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
import { dataTable, SYNTAX_FORMATS } from "./statistical.js";

const bad = (vi: string, en: string, detail?: unknown) => new Problem("bad_request", undefined, detail, { vi, en });

/** Every parameter an export reads (the results layout passes the results filters on). */
const PARAMETERS = new Set(["format", "labels", "sep", "decimal", "lang", "unit", "group", "variant", "asOf", "compare", "rank"]);

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
  const unknown = Object.keys(params).filter((name) => params[name] !== undefined && !PARAMETERS.has(name));
  if (unknown.length) {
    throw bad(`Tham số không có: ${unknown.join(", ")}; dùng: ${[...PARAMETERS].join(", ")}.`, `Unknown parameter: ${unknown.join(", ")}; use ${[...PARAMETERS].join(", ")}.`, { unknown, allowed: [...PARAMETERS] });
  }
  const layout = oneOf<Layout>("layout", layoutParam, LAYOUTS, "wide");
  const format = oneOf<Format>("format", params.format, FORMATS, "csv");
  // Label syntax files describe the data layout's CSV; no other layout has value labels.
  if ((SYNTAX_FORMATS as readonly string[]).includes(format) && layout !== "data") {
    throw bad(`Tệp nhãn (format=${format}) chỉ có cho layout=data.`, `Label syntax files (format=${format}) exist only for layout=data.`, { format, layout, allowed: ["data"] });
  }
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
  // Anonymous rounds have no raw per-respondent export at all (docs/decisions/0008-anonymous-credentials.md):
  // the published, suppressed results are their only output.
  // (A round that also takes public or enumerator responses exports those only: see layouts.ts.)
  if ((layout === "wide" || layout === "long" || layout === "data") && round.modes.length === 1 && round.modes[0] === "invitation") {
    throw new Problem("forbidden", undefined, { layout, allowed: ["results", "codebook"] }, {
      vi: "Đợt khảo sát theo thư mời là ẩn danh: không có bản xuất từng phiếu. Hãy xuất kết quả (layout=results) hoặc từ điển dữ liệu (layout=codebook).",
      en: "An invitation round is anonymous: there is no per-response export. Export the results (layout=results) or the codebook (layout=codebook).",
    });
  }
  let table: Table;
  if (layout === "wide") table = await wideTable(ctx, round, edition.instrument);
  else if (layout === "data") table = dataTable(await wideTable(ctx, round, edition.instrument), edition.instrument);
  else if (layout === "long") table = await longTable(ctx, round, edition.instrument);
  else if (layout === "codebook") table = codebookTable(edition.instrument);
  else {
    const parsed = await parseQuery(ctx, round.id, params, { viewer });
    const { scored, targets } = await resultsWithTargets(ctx, parsed);
    table = resultsTable({ ...resultsBody(parsed, scored), ...{ targets } }, lang);
  }
  const ext = format === "r" ? "R" : format;
  return { table, options, filename: `${round.id}-${layout}.${ext}` };
}
