/** Turns export parameters (from a URL or the command line) into a checked table and writer options. */
import type { AppContext } from "../app-context.js";
import { Problem } from "../http/problem.js";
import { findRound, type Round } from "../rounds/repository.js";
import { getEdition } from "../instruments/repository.js";
import { parseQuery, type ParsedQuery } from "../results/query-params.js";
import type { Viewer } from "../results/scope.js";
import { unitVisible } from "../results/scope.js";
import { resultsBody, resultsWithTargets } from "../results/tree.js";
import { getPeerGroup } from "../results/repository.js";
import { unitRef } from "../results/service.js";
import { seesWholeRound } from "../http/access.js";
import type { Lang } from "../../shared/i18n.js";
import type { ResultsResponse, UnitRef } from "../../shared/results/types.js";
import { nodeMap } from "../../shared/results/tree.js";
import { ancestorLevels, codebookTable, rawTable, serverSource, LAYOUTS, type Layout, type RawJob } from "./layouts.js";
import { FORMATS, type Format, type Table, type WriteOptions } from "./writers.js";
import { SYNTAX_FORMATS } from "./statistical.js";
import { checkParameters, choice } from "./parameters.js";
import { breakdownAppendix, levelsBelowRoot, treeAppendix, type AppendixMeta } from "./appendix.js";
import { exportFileName } from "./filename.js";

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === "") return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new Problem("export_parameter_value", undefined, { [name]: value, name, value, allowed });
}

export interface ExportRequest {
  table: Table;
  options: WriteOptions;
  /** ASCII file name, and the same with Vietnamese letters for `filename*` (RFC 5987). */
  filename: string;
  filenameUtf8: string;
  /** For raw layouts written row by row: the same table as plain data, for an export worker to read itself. */
  job?: RawJob;
}

/**
 * Checks every parameter before the first byte is sent: after that an error can only cut the stream.
 * `viewer` is the caller (rounds and units named are checked by roundAccess before this), null on the command line.
 */
export async function buildExport(
  ctx: AppContext,
  roundId: string,
  layoutParam: string,
  params: Record<string, string | undefined>,
  viewer: Viewer,
): Promise<ExportRequest> {
  const layout = oneOf<Layout>("layout", layoutParam, LAYOUTS, "wide");
  const format = oneOf<Format>("format", params.format, FORMATS, "csv");
  // Unknown parameters, and known ones this layout or format would silently ignore, are refused by name.
  checkParameters(layout, format, params);
  // Label syntax files describe the data layout's CSV; no other layout has value labels.
  if ((SYNTAX_FORMATS as readonly string[]).includes(format) && layout !== "data") {
    throw new Problem("export_syntax_data_only", undefined, { format, layout, allowed: ["data"] });
  }
  const labels = choice<"vi" | "en" | "none">(params, "labels", "none");
  const sep = choice<"comma" | "semicolon" | "tab">(params, "sep", "comma");
  const decimal = choice<"point" | "comma">(params, "decimal", "point");
  const lang = choice<Lang>(params, "lang", "vi");
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
    throw new Problem(
      "forbidden",
      undefined,
      { layout, allowed: ["results", "codebook"] },
      {
        vi: "Đợt khảo sát theo thư mời là ẩn danh: không có bản xuất từng phiếu. Hãy xuất kết quả (layout=results) hoặc từ điển dữ liệu (layout=codebook).",
        en: "An invitation round is anonymous: there is no per-response export. Export the results (layout=results) or the codebook (layout=codebook).",
      },
    );
  }
  const ext = format === "r" ? "R" : format;
  if (layout !== "results") {
    const name = `${round.id}-${layout}.${ext}`;
    if (layout === "codebook") return { table: codebookTable(edition.instrument), options, filename: name, filenameUtf8: name };
    const job: RawJob = { layout, round, instrument: edition.instrument, levels: ancestorLevels(ctx, round, edition.instrument) };
    const table = await rawTable(serverSource(ctx), job);
    // Label syntax files read only the columns; the rows are read where they are written.
    return { table, options, filename: name, filenameUtf8: name, ...((SYNTAX_FORMATS as readonly string[]).includes(format) ? {} : { job }) };
  }

  const parsed = await parseQuery(ctx, round.id, params, { by: true, viewer });
  const { scored, targets } = await resultsWithTargets(ctx, parsed);
  const results: ResultsResponse = { ...resultsBody(parsed, scored), ...{ targets } };
  const meta = await appendixMeta(ctx, parsed, results, params, lang);
  let table: Table;
  if (results.by) {
    const levels = levelsBelowRoot(results.root);
    const cols = params.cols || null;
    if (cols && !levels.includes(cols)) {
      throw new Problem("export_cols_unknown", undefined, { cols, allowed: levels });
    }
    const node = params.node || null;
    if (node && !nodeMap(results.root).has(node)) {
      throw new Problem("export_node_unknown", undefined, { node });
    }
    table = breakdownAppendix(results, meta, { cols, node }, emptyUnits(ctx, parsed, round, viewer, meta.peers?.members ?? null));
  } else table = treeAppendix(results, meta);
  const names = exportFileName({ round: round.id, lang, ext, unit: results.unit, group: meta.group, by: results.by, peers: meta.peers?.id ?? null });
  return { table, options, filename: names.ascii, filenameUtf8: names.utf8 };
}

/** What the title rows of an appendix say: index, round, unit, group, registry, rule, comparison, peer group. */
async function appendixMeta(
  ctx: AppContext,
  parsed: ParsedQuery,
  results: ResultsResponse,
  params: Record<string, string | undefined>,
  lang: Lang,
): Promise<AppendixMeta> {
  const { re } = parsed;
  const registry = await ctx.db.kysely.selectFrom("unit_registries").selectAll().where("id", "=", results.registry).executeTakeFirst();
  const groupLabels = new Map(re.instrument.respondentGroups.map((g) => [g.code, g.label]));
  const variant = re.index.variants.find((v) => v.id === results.variant);
  const earlier = parsed.compare ? await findRound(ctx.db.kysely, parsed.compare) : null;
  let peers: AppendixMeta["peers"] = null;
  if (params.peers) {
    if (results.by === "group") throw new Problem("export_peers_with_groups", undefined, { peers: params.peers, by: "group" });
    const group = await getPeerGroup(ctx.db.kysely, params.peers);
    if (!group) throw new Problem("peer_group_unknown", undefined, { peers: params.peers });
    if (group.registry !== results.registry) {
      throw new Problem("peer_group_other_registry", undefined, { peers: group.id, registry: group.registry });
    }
    peers = { id: group.id, label: group.label, members: new Set(group.members) };
  }
  return {
    lang,
    precision: choice(params, "precision", "display"),
    titles: choice(params, "titles", "1") === "1",
    index: {
      id: re.index.id,
      title: re.index.title,
      decimals: re.index.decimals,
      display: re.index.display,
      performanceGroups: re.index.performanceGroups ?? null,
    },
    round: { id: re.round.id, title: re.round.title },
    unit: results.unit,
    scope: re.round.scope.map((key) => ctx.units.getCached(key)?.fullName ?? key),
    group: results.group ? { code: results.group, label: groupLabels.get(results.group) ?? { vi: results.group, en: results.group } } : null,
    registry: { id: results.registry, label: registry?.label ?? results.registry, validFrom: registry?.valid_from ?? "" },
    variant: { id: results.variant, label: variant?.label ?? null },
    compare: earlier ? { id: earlier.id, title: earlier.title } : null,
    peers,
    made: new Date(),
    groupLabels,
  };
}

/**
 * Units of the breakdown level in the round's scope (under the unit shown, inside the viewer's area),
 * or a peer group's members, that may have no responses: rows of the appendix that say so, as the
 * dashboard's table does (those with responses are already rows). Without a peer group only in the
 * round's own registry: in another one, which units a row would cover is the crosswalk's to say.
 */
function emptyUnits(ctx: AppContext, parsed: ParsedQuery, round: Round, viewer: Viewer, peers: ReadonlySet<string> | null): UnitRef[] {
  const by = parsed.q.by;
  if (!by || by === "group") return [];
  const visible = (key: string) => !viewer || seesWholeRound(viewer) || unitVisible(ctx, viewer, key);
  const under = (key: string) => !parsed.q.unit || ctx.units.isWithin(key, parsed.q.unit.key);
  // A peer group is an explicit list: each member is a row, inside the round's scope or not.
  if (peers) {
    return [...peers].flatMap((key) => {
      const u = ctx.units.getCached(key);
      return u && u.level === by && under(key) && visible(key) ? [unitRef(u)] : [];
    });
  }
  if (parsed.q.space.registry !== round.registry) return [];
  const scope = round.scope.length ? round.scope : ctx.units.atLevel(round.registry, "province").map((u) => u.key);
  const roots = parsed.q.unit ? [parsed.q.unit.key] : scope;
  const inRound = (key: string) => scope.some((s) => ctx.units.isWithin(key, s) || ctx.units.isWithin(s, key));
  const found = new Map<string, UnitRef>();
  const stack = [...roots];
  while (stack.length) {
    const key = stack.pop()!;
    const u = ctx.units.getCached(key);
    if (!u) continue;
    if (u.level === by) {
      if (inRound(u.key) && visible(u.key)) found.set(u.key, unitRef(u));
    } else stack.push(...ctx.units.childrenOf(key).map((c) => c.key));
  }
  return [...found.values()];
}
