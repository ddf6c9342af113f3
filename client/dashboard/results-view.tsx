/** The results page: the index tree with values, bars and maxima, drill-down by unit and group; it prints as an appendix. */
import { useState } from "preact/hooks";
import { fill, tr } from "../common/i18n.js";
import type { BreakdownRow, ResultNode, ResultsResponse } from "../../shared/results/types.js";
import { api, type Filters } from "./api.js";
import { ValueBar } from "./charts.js";
import { D } from "./strings.js";
import { Select, Show, TableWrap, flatten, fmt, nodeLabel, scaleOf, signed, useAsync, type ViewProps } from "./common.js";

const BREAKDOWNS = ["province", "district", "commune", "village", "agency", "group"] as const;

export function ResultsView(props: ViewProps & { indexTitle: string }) {
  const { filters, lang } = props;
  const key = JSON.stringify([filters.round, filters.unit, filters.group, filters.asOf, filters.variant, filters.compare]);
  const results = useAsync(() => api.results(filters, { compare: filters.compare }), key);
  return (
    <Show value={results} lang={lang}>
      {(data) => (
        <>
          <Summary data={data} lang={lang} />
          <section class="card">
            <h2 class="print-only">{fill(tr(D.reportTitle, lang), { index: props.indexTitle })}</h2>
            <TreeTable data={data} lang={lang} />
            {data.derived.length > 0 && <Derived data={data} lang={lang} />}
          </section>
          <Breakdown {...props} data={data} />
        </>
      )}
    </Show>
  );
}

function Summary({ data, lang }: { data: ResultsResponse; lang: "vi" | "en" }) {
  const partial = data.mapping.partial;
  const unmapped = data.mapping.unmapped.reduce((s, u) => s + u.responses, 0);
  return (
    <div class="summary">
      <p class="big">
        <strong>{fmt(data.root.value, data.decimals, lang)}</strong>
        <span class="unit-of">{data.display === "percent" ? "%" : ` / ${fmt(data.root.max, data.decimals, lang)}`}</span>
        {data.root.rank != null && (
          <span class="rank-badge">
            {tr(D.rank, lang)} {data.root.rank}/{data.root.of}
          </span>
        )}
        {data.root.delta?.value != null && <span class={`delta ${data.root.delta.value >= 0 ? "up" : "down"}`}>{signed(data.root.delta.value, data.decimals, lang)}</span>}
      </p>
      <p class="muted">{fill(tr(D.responsesN, lang), { n: fmt(data.responses, 0, lang) })}</p>
      {data.suppressed && <div class="notice info">{fill(tr(D.suppressed, lang), { min: data.minCellSize })}</div>}
      {partial.length > 0 && (
        <div class="notice info">
          {fill(tr(D.partial, lang), { n: partial.length, units: partial.map((p) => ("name" in p.unit ? p.unit.fullName : p.unit.key)).join(", ") })}
        </div>
      )}
      {unmapped > 0 && <div class="notice info">{fill(tr(D.unmapped, lang), { n: unmapped })}</div>}
    </div>
  );
}

/** The appendix table: node, maximum, score, percent, previous year, change, target, gap. */
function TreeTable({ data, lang }: { data: ResultsResponse; lang: "vi" | "en" }) {
  const rows = flatten(data.root);
  const [open, setOpen] = useState<Set<string>>(() => new Set(rows.filter((r) => r.depth < 2).map((r) => r.node.code)));
  // Only the children of open nodes are shown.
  const visible: typeof rows = [];
  const visit = (node: ResultNode, depth: number) => {
    visible.push({ node, depth });
    if (open.has(node.code)) node.children?.forEach((c) => visit(c, depth + 1));
  };
  visit(data.root, 0);
  const has = (f: (n: ResultNode) => unknown) => rows.some(({ node }) => f(node) !== null && f(node) !== undefined);
  const showPoints = has((n) => n.points);
  const showPrevious = has((n) => n.previous);
  const showTarget = has((n) => n.target);
  const showRank = has((n) => n.rank);
  const d = data.decimals;
  const toggle = (code: string) => {
    const next = new Set(open);
    if (next.has(code)) next.delete(code);
    else next.add(code);
    setOpen(next);
  };
  return (
    <>
      <div class="table-tools no-print">
        <button type="button" class="btn small secondary" onClick={() => setOpen(new Set(rows.map((r) => r.node.code)))}>
          {tr(D.expandAll, lang)}
        </button>
        <button type="button" class="btn small secondary" onClick={() => setOpen(new Set([data.root.code]))}>
          {tr(D.collapseAll, lang)}
        </button>
      </div>
      <TableWrap label={tr(D.title, lang)}>
        <table class="tree appendix">
          <thead>
            <tr>
              <th scope="col">{tr(D.code, lang)}</th>
              <th scope="col">{tr(D.criterion, lang)}</th>
              <th scope="col" class="no-print" aria-hidden="true" />
              {showPoints && <th scope="col" class="num">{tr(D.max, lang)}</th>}
              {showPoints && <th scope="col" class="num">{tr(D.score, lang)}</th>}
              <th scope="col" class="num">{tr(D.percent, lang)}</th>
              {showRank && <th scope="col" class="num">{tr(D.rank, lang)}</th>}
              {showPrevious && <th scope="col" class="num">{tr(D.previous, lang)}</th>}
              {showPrevious && <th scope="col" class="num">{tr(D.change, lang)}</th>}
              {showTarget && <th scope="col" class="num">{tr(D.target, lang)}</th>}
              {showTarget && <th scope="col" class="num">{tr(D.gap, lang)}</th>}
              <th scope="col" class="num">{tr(D.valid, lang)}</th>
            </tr>
          </thead>
          <tbody>
            {visible.map(({ node, depth }) => {
              const expandable = Boolean(node.children?.length);
              const isOpen = open.has(node.code);
              return (
                <tr key={node.code} class={`depth-${Math.min(depth, 3)}`}>
                  <td class="code">{node.code}</td>
                  <td class="name" style={{ paddingLeft: `${0.5 + depth * 1.1}rem` }}>
                    {expandable ? (
                      <button type="button" class="twisty" aria-expanded={isOpen} onClick={() => toggle(node.code)}>
                        <span aria-hidden="true" class="no-print">{isOpen ? "▾" : "▸"}</span> {nodeLabel(node, lang)}
                      </button>
                    ) : (
                      nodeLabel(node, lang)
                    )}
                  </td>
                  <td class="no-print">
                    <ValueBar
                      value={node.value}
                      max={scaleOf(node, data.display)}
                      previous={node.previous?.value ?? null}
                      target={node.target?.value ?? null}
                      label={`${nodeLabel(node, lang)}: ${fmt(node.value, d, lang)}`}
                    />
                  </td>
                  {showPoints && <td class="num">{fmt(node.max, d, lang)}</td>}
                  {showPoints && <td class="num strong">{fmt(node.points, d, lang)}</td>}
                  <td class={`num${showPoints ? "" : " strong"}`}>{fmt(node.percent, d, lang)}</td>
                  {showRank && <td class="num">{node.rank != null ? `${node.rank}/${node.of}` : "–"}</td>}
                  {showPrevious && <td class="num">{fmt(node.previous?.value, d, lang)}</td>}
                  {showPrevious && (
                    <td class={`num delta ${(node.delta?.value ?? 0) >= 0 ? "up" : "down"}`}>
                      {node.counterpart === null ? <abbr title={tr(D.added, lang)}>+</abbr> : signed(node.delta?.value, d, lang)}
                    </td>
                  )}
                  {showTarget && <td class="num">{fmt(node.target?.value, d, lang)}</td>}
                  {showTarget && <td class={`num${node.target?.flags.includes("above_max") ? " flag" : ""}`}>{signed(node.target?.gap, d, lang)}</td>}
                  <td class="num muted">{fmt(node.valid, 0, lang)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableWrap>
    </>
  );
}

function Derived({ data, lang }: { data: ResultsResponse; lang: "vi" | "en" }) {
  return (
    <div class="derived">
      <h3>{tr(D.derived, lang)}</h3>
      <ul>
        {data.derived.map((d) => (
          <li key={d.code}>
            {tr(d.label, lang)}: <strong>{fmt(d.value, data.decimals, lang)}</strong>
            {d.max !== null && ` / ${fmt(d.max, 0, lang)}`}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** One row per unit (at a chosen level) or per group; a unit row opens that unit. */
function Breakdown(props: ViewProps & { data: ResultsResponse }) {
  const { filters, update, lang, data } = props;
  const by = filters.by;
  const key = JSON.stringify([filters.round, filters.unit, filters.group, filters.asOf, filters.variant, filters.compare, by]);
  const rows = useAsync(() => (by ? api.results(filters, { by, compare: filters.compare }) : Promise.resolve(null)), key);
  const nodes = flatten(data.root).filter(({ depth }) => depth <= 2);
  const nodeCode = filters.node && nodes.some((n) => n.node.code === filters.node) ? filters.node : data.root.code;
  return (
    <section class="card no-print">
      <div class="controls">
        <Select
          name="by"
          label={tr(D.breakdown, lang)}
          value={by}
          options={[{ value: "", label: tr(D.noBreakdown, lang) }, ...BREAKDOWNS.map((b) => ({ value: b, label: tr(D.levels[b]!, lang) }))]}
          onChange={(v) => update({ by: v })}
        />
        <Select
          name="node"
          label={tr(D.node, lang)}
          value={nodeCode}
          options={nodes.map(({ node, depth }) => ({ value: node.code, label: `${"  ".repeat(depth)}${node.code} ${nodeLabel(node, lang, true)}` }))}
          onChange={(v) => update({ node: v })}
        />
      </div>
      {by && (
        <Show value={rows} lang={lang}>
          {(res) => (res ? <BreakdownTable {...props} rows={res.rows ?? []} data={res} nodeCode={nodeCode} /> : null)}
        </Show>
      )}
    </section>
  );
}

function BreakdownTable(props: ViewProps & { rows: BreakdownRow[]; data: ResultsResponse; nodeCode: string }) {
  const { rows, data, nodeCode, lang, update, groups } = props;
  const pick = (row: BreakdownRow) => flatten(row.root).find((n) => n.node.code === nodeCode)?.node ?? null;
  const canDrill = (row: BreakdownRow) => row.unit && row.unit.level !== "village" && row.unit.level !== "agency";
  const d = data.decimals;
  const groupLabel = (code: string | null) => groups.find((g) => g.code === code)?.label;
  const hasPrevious = rows.some((r) => pick(r)?.previous);
  return (
    <TableWrap label={tr(D.breakdown, lang)}>
      <table class="breakdown">
        <thead>
          <tr>
            <th scope="col">{tr(D.rank, lang)}</th>
            <th scope="col">{tr(data.by === "group" ? D.group : D.unit, lang)}</th>
            <th scope="col" class="num">{tr(D.responses, lang)}</th>
            <th scope="col" aria-hidden="true" />
            <th scope="col" class="num">{tr(D.value, lang)}</th>
            {hasPrevious && <th scope="col" class="num">{tr(D.change, lang)}</th>}
            {hasPrevious && <th scope="col" class="num">{tr(D.rankChange, lang)}</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const node = pick(row);
            const name = row.unit ? row.unit.fullName : groupLabel(row.group) ? tr(groupLabel(row.group)!, lang) : (row.group ?? "");
            return (
              <tr key={row.unit?.key ?? row.group}>
                <td class="num">{node?.rank ?? "–"}</td>
                <td>
                  {canDrill(row) ? (
                    <button type="button" class="link" aria-label={fill(tr(D.drill, lang), { name })} onClick={() => update({ unit: row.unit!.key, by: null })}>
                      {name}
                    </button>
                  ) : (
                    name
                  )}
                </td>
                <td class="num">{fmt(row.responses, 0, lang)}</td>
                <td>{node && <ValueBar value={node.value} max={scaleOf(node, data.display)} previous={node.previous?.value ?? null} label={`${name}: ${fmt(node.value, d, lang)}`} />}</td>
                <td class="num strong">{row.suppressed ? <abbr title={fill(tr(D.suppressed, lang), { min: data.minCellSize })}>*</abbr> : fmt(node?.value, d, lang)}</td>
                {hasPrevious && <td class="num">{signed(node?.delta?.value, d, lang)}</td>}
                {hasPrevious && <td class="num">{signed(node?.delta?.rank, 0, lang)}</td>}
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableWrap>
  );
}

export type { Filters };
