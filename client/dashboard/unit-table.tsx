/**
 * The units × criteria table of the provincial plans: one row per unit of a level under the chosen
 * unit (or per respondent group), one column per node of a chosen level of the index tree plus the
 * total, each cell the value and its rank, the gap to the target that applies, and why a value is
 * missing. Sortable by any column in one click, filterable by name, exported as shown (CSV).
 */
import { useMemo, useState } from "preact/hooks";
import { fill, tr, type Lang } from "../common/i18n.js";
import type { TargetInput } from "../../shared/results/schemas.js";
import type { ResultNode, ResultsResponse, UnitRef } from "../../shared/results/types.js";
import { unitSearchForm } from "../../shared/units/search.js";
import { api, type Filters, type RoundInfo } from "./api.js";
import { appliedTargets, nodeGoals, type NodeGoal } from "./applied-targets.js";
import { D } from "./strings.js";
import { Select, Show, TableWrap, flatten, fmt, levelName, levelsOfTree, nodeLabel, useAsync, type ViewProps } from "./common.js";
import { missingReason, missingText, type MissingReason } from "./missing.js";
import { saveBlob } from "./download.js";
import { tableCsv } from "./table-csv.js";
import { PLACE_LEVELS, levelDepth } from "../../shared/units/levels.js";

/** Unit levels from the top down, as the registries nest them; agencies hang under provinces. */

interface Row {
  key: string;
  name: string;
  code: string;
  unit: UnitRef | null;
  group: string | null;
  responses: number;
  suppressed: boolean;
  nodes: Map<string, ResultNode>;
  goals: Map<string, NodeGoal>;
}

type SortKey = { col: string; dir: "asc" | "desc" };
const NAME = "name";
const RESPONSES = "responses";

function readSort(s: string | null): SortKey | null {
  if (!s) return null;
  const [col, dir] = s.split(":");
  return col ? { col, dir: dir === "asc" ? "asc" : "desc" } : null;
}

/**
 * The breakdowns the round has: unit levels below the chosen unit down to the questionnaire's unit
 * level, that exist in the registry and hold responses (no "Huyện" after the 2025 reform, no
 * "Cơ quan" for a citizens' survey), and respondent groups when there are several. The progress
 * endpoint lists every unit of a level in the round's scope (and the viewer's area), so the same
 * answer also gives the units that have no responses.
 */
function useBreakdowns(filters: Filters, round: RoundInfo, unitLevel: string, filterUnitLevel: string | null) {
  const chain: string[] = unitLevel === "agency" ? ["province", "agency"] : PLACE_LEVELS.slice(0, Math.max(1, levelDepth(unitLevel) + 1));
  const candidates = chain.filter((l) => filterUnitLevel === null || levelDepth(l) > levelDepth(filterUnitLevel));
  const ownRegistry = !filters.asOf || filters.asOf === round.registry;
  return useAsync(
    async () => {
      const units = new Map<string, UnitRef[]>();
      let levels = candidates;
      if (ownRegistry) {
        const found = await Promise.all(candidates.map(async (level) => ({ level, p: await api.progress(filters, level) })));
        levels = [];
        for (const { level, p } of found) {
          const withResponses = p.byUnit.some((u) => u.responses > 0);
          // The level of the round's own scope (its one province) is the total, not a breakdown.
          const onlyScope = p.byUnit.every((u) => round.scope.includes(u.unit.key));
          if (withResponses && !onlyScope) {
            levels.push(level);
            units.set(
              level,
              p.byUnit.map((u) => u.unit),
            );
          }
        }
      }
      return { levels: [...levels, ...(round.groups.length > 1 ? ["group"] : [])], units };
    },
    JSON.stringify([filters.round, filters.asOf, filterUnitLevel, candidates]),
  );
}

export function UnitTable(props: ViewProps & { data: ResultsResponse; round: RoundInfo; unitLevel: string; targets: TargetInput[]; above: string[] }) {
  const { filters, lang, data, round } = props;
  const breakdowns = useBreakdowns(filters, round, props.unitLevel, data.unit?.level ?? null);
  return (
    <section class="card unit-table no-print">
      <h2>{tr(D.unitTable, lang)}</h2>
      <Show value={breakdowns} lang={lang}>
        {(b) => (b.levels.length === 0 ? <p class="notice info">{tr(D.noLevels, lang)}</p> : <Breakdown {...props} levels={b.levels} units={b.units} />)}
      </Show>
    </section>
  );
}

function Breakdown(
  props: ViewProps & { data: ResultsResponse; round: RoundInfo; targets: TargetInput[]; above: string[]; levels: string[]; units: Map<string, UnitRef[]> },
) {
  const { filters, update, lang, data, round, groups } = props;
  const by = filters.by && props.levels.includes(filters.by) ? filters.by : props.levels[0]!;
  const indexLevels = levelsOfTree(data.root).filter((l) => l !== data.root.level);
  const cols =
    filters.cols && indexLevels.includes(filters.cols) ? filters.cols : indexLevels.includes("component") ? "component" : (indexLevels[0] ?? data.root.level);
  const key = JSON.stringify([filters.round, filters.unit, filters.group, filters.asOf, filters.variant, filters.compare, by]);
  const res = useAsync(() => api.results(filters, { by, compare: filters.compare }), key);
  return (
    <>
      <div class="controls">
        <Select
          name="by"
          label={tr(D.breakdown, lang)}
          value={by}
          options={props.levels.map((l) => ({ value: l, label: l === "group" ? tr(D.group, lang) : tr(D.levels[l] ?? { vi: l, en: l }, lang) }))}
          onChange={(v) => update({ by: v, sort: null })}
        />
        <Select
          name="cols"
          label={tr(D.columns, lang)}
          value={cols}
          options={indexLevels.map((l) => ({ value: l, label: levelName(l, lang) }))}
          onChange={(v) => update({ cols: v })}
        />
      </div>
      <Show value={res} lang={lang}>
        {(r) => {
          const columns = [
            r.root,
            ...flatten(r.root)
              .filter(({ node }) => node.level === cols)
              .map((n) => n.node),
          ];
          // Every unit of the level (the list comes with the scope), with or without responses, when the rows are the whole round's.
          const wholeRound = !filters.unit || round.scope.includes(filters.unit);
          const listed = by !== "group" && wholeRound ? (props.units.get(by) ?? []) : [];
          const above = filters.unit ? [filters.unit, ...props.above] : [];
          const rows: Row[] = (r.rows ?? []).map((row) => {
            const unitKey = row.unit?.key ?? filters.unit;
            const applied = appliedTargets(props.targets, unitKey ?? null, row.unit ? above : props.above, row.group ?? filters.group);
            const groupLabel = groups.find((g) => g.code === row.group)?.label;
            return {
              key: row.unit?.key ?? row.group ?? "",
              name: row.unit ? row.unit.fullName : groupLabel ? tr(groupLabel, lang) : (row.group ?? ""),
              code: row.unit?.code ?? row.group ?? "",
              unit: row.unit,
              group: row.group,
              responses: row.responses,
              suppressed: row.suppressed,
              nodes: new Map(flatten(row.root).map(({ node }) => [node.code, node])),
              goals: nodeGoals(row.root, applied, r.display, filters.compare),
            };
          });
          const present = new Set(rows.map((x) => x.key));
          for (const unit of listed) {
            if (present.has(unit.key)) continue;
            rows.push({
              key: unit.key,
              name: unit.fullName,
              code: unit.code,
              unit,
              group: filters.group,
              responses: 0,
              suppressed: false,
              nodes: new Map(),
              goals: new Map(),
            });
          }
          return <Table {...props} rows={rows} columns={columns} data={r} by={by} cols={cols} />;
        }}
      </Show>
    </>
  );
}

function Table(props: ViewProps & { rows: Row[]; columns: ResultNode[]; data: ResultsResponse; by: string; cols: string; round: RoundInfo }) {
  const { rows, columns, data, lang, filters, update } = props;
  const [query, setQuery] = useState("");
  const sort = readSort(filters.sort) ?? { col: NAME, dir: "asc" };
  const d = data.decimals;
  const min = data.minCellSize;
  const hasGoals = columns.map((c) => rows.some((r) => r.goals.has(c.code)));

  const shown = useMemo(() => {
    const q = unitSearchForm(query);
    const filtered = q ? rows.filter((r) => unitSearchForm(r.name).includes(q)) : rows.slice();
    const byName = (a: Row, b: Row) => a.name.localeCompare(b.name, "vi");
    const valueOf = (r: Row): number | null => (sort.col === RESPONSES ? r.responses : sort.col === NAME ? null : (r.nodes.get(sort.col)?.value ?? null));
    return filtered.sort((a, b) => {
      if (sort.col === NAME) return sort.dir === "asc" ? byName(a, b) : byName(b, a);
      const va = valueOf(a);
      const vb = valueOf(b);
      // Missing values go last whichever the direction.
      if (va === null || vb === null) return va === vb ? byName(a, b) : va === null ? 1 : -1;
      return (sort.dir === "asc" ? va - vb : vb - va) || byName(a, b);
    });
  }, [rows, query, sort.col, sort.dir]);

  const toggle = (col: string) => {
    // A first click on a value column puts the best first; a second click reverses.
    const dir = sort.col === col ? (sort.dir === "asc" ? "desc" : "asc") : col === NAME ? "asc" : "desc";
    update({ sort: `${col}:${dir}` });
  };
  const ariaSort = (col: string) => (sort.col === col ? (sort.dir === "asc" ? "ascending" : "descending") : undefined);
  const header = (col: string, text: preact.ComponentChildren, name: string, cls = "") => (
    <th scope="col" class={cls} aria-sort={ariaSort(col)}>
      <button type="button" class="sort" onClick={() => toggle(col)} title={fill(tr(D.sortBy, lang), { col: name })}>
        {text}
        <span class="sort-mark" aria-hidden="true">
          {sort.col === col ? (sort.dir === "asc" ? " ▲" : " ▼") : " ↕"}
        </span>
      </button>
    </th>
  );
  const canDrill = (r: Row) => r.unit && r.unit.level !== "village" && r.unit.level !== "agency";
  const reasons = new Set<MissingReason>();
  for (const r of shown)
    for (const c of columns) {
      const why = missingReason(r, r.nodes.get(c.code));
      if (why) reasons.add(why);
    }
  const unitWord = tr(props.by === "group" ? D.group : D.unit, lang);
  const exportCsv = () => {
    const csv = tableCsv({ rows: shown, columns, hasGoals, lang, decimals: d, display: data.display, unitWord, minCellSize: min });
    const name = ["chiso", filters.round, filters.unit ?? "toan-dot", props.by, props.cols, filters.group]
      .filter(Boolean)
      .join("-")
      .replace(/[^A-Za-z0-9._-]+/g, "-");
    saveBlob(new Blob(["\uFEFF", csv], { type: "text/csv;charset=utf-8" }), `${name}.csv`);
  };

  return (
    <>
      <div class="controls unit-tools">
        <label class="field">
          <span>{tr(D.filterName, lang)}</span>
          <input type="search" name="filter" value={query} onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <p class="muted small" role="status">
          {fill(tr(D.shownOf, lang), { n: shown.length, total: rows.length })}
        </p>
        <button type="button" class="btn small" onClick={exportCsv}>
          {tr(D.exportTable, lang)}
        </button>
      </div>
      <TableWrap label={tr(D.unitTable, lang)}>
        <table class="breakdown units-nodes">
          <thead>
            <tr>
              {header(NAME, unitWord, unitWord, "name-col")}
              {header(RESPONSES, tr(D.responses, lang), tr(D.responses, lang), "num")}
              {columns.map((c) =>
                header(
                  c.code,
                  <>
                    <span class="code">{c.code}</span> <span class="col-label">{nodeLabel(c, lang, true)}</span>
                  </>,
                  `${c.code} ${nodeLabel(c, lang, true)}`,
                  "num",
                ),
              )}
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.key}>
                <th scope="row" class="name-col">
                  {canDrill(r) ? (
                    <button
                      type="button"
                      class="link"
                      aria-label={fill(tr(D.drill, lang), { name: r.name })}
                      onClick={() => update({ unit: r.unit!.key, by: null, sort: null })}
                    >
                      {r.name}
                    </button>
                  ) : (
                    r.name
                  )}
                </th>
                <td class="num">{fmt(r.responses, 0, lang)}</td>
                {rowMissing(r) ? (
                  // No responses, or too few to show: one reason for the whole row rather than the same one in every cell.
                  <MissingCell row={r} why={rowMissing(r)!} lang={lang} min={min} span={columns.length} />
                ) : (
                  columns.map((c) => <Cell key={c.code} row={r} node={r.nodes.get(c.code)} goal={r.goals.get(c.code)} decimals={d} lang={lang} min={min} />)
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <p class="muted small legend">{tr(D.cellLegend, lang)}</p>
      {reasons.size > 0 && (
        <dl class="missing-legend small">
          {[...reasons].map((why) => {
            const t = missingText(why, lang, { responses: 0, min });
            return (
              <div key={why}>
                <dt>{t.short}</dt>
                <dd>{why === "suppressed" ? fill(tr(D.missingSuppressedLegend, lang), { min }) : t.long}</dd>
              </div>
            );
          })}
        </dl>
      )}
    </>
  );
}

/** A row without responses, or with too few to show, has no value in any column. */
const rowMissing = (r: Row): MissingReason | null => (r.responses === 0 ? "noResponses" : r.suppressed ? "suppressed" : null);

function MissingCell({ row, why, lang, min, span = 1 }: { row: Row; why: MissingReason; lang: Lang; min: number; span?: number }) {
  const t = missingText(why, lang, { responses: row.responses, min });
  return (
    <td class={span > 1 ? "missing-row" : "num missing-cell"} colSpan={span > 1 ? span : undefined}>
      <span class="missing" title={t.long}>
        {t.short}
      </span>
      <span class="sr-only">: {t.long}</span>
    </td>
  );
}

function Cell({
  row,
  node,
  goal,
  decimals,
  lang,
  min,
}: {
  row: Row;
  node: ResultNode | undefined;
  goal: NodeGoal | undefined;
  decimals: number;
  lang: Lang;
  min: number;
}) {
  const why = missingReason(row, node);
  if (why) return <MissingCell row={row} why={why} lang={lang} min={min} />;
  return (
    <td class="num">
      <span class="v strong">{fmt(node!.value, decimals, lang)}</span>
      {node!.rank != null && (
        <span class="rk" title={fill(tr(D.rankOf, lang), { rank: node!.rank, of: node!.of ?? "" })}>
          <span class="sr-only">{tr(D.rank, lang)} </span>({node!.rank})
        </span>
      )}
      {goal && goal.gap !== null && (
        <span class={`gap ${goal.gap > 0 ? "down" : "up"}`}>
          {goal.gap > 0 ? fill(tr(D.gapShort, lang), { gap: fmt(goal.gap, decimals, lang) }) : tr(D.metShort, lang)}
        </span>
      )}
    </td>
  );
}
