/**
 * The results page: the index tree with values, bars and maxima, the targets that apply to the unit
 * shown, and the units × criteria table below it; the tree prints as an appendix.
 */
import { useState } from "preact/hooks";
import { fill, tr, type Lang } from "../common/i18n.js";
import type { TargetInput } from "../../shared/results/schemas.js";
import type { ResultNode, ResultsResponse } from "../../shared/results/types.js";
import { api, type Filters, type RoundInfo } from "./api.js";
import { ValueBar } from "./charts.js";
import { D } from "./strings.js";
import { TableWrap, Show, flatten, fmt, levelName, nodeLabel, scaleOf, signed, useAsync, type ViewProps } from "./common.js";
import { appliedTargets, nodeGoals, type AppliedTarget, type NodeGoal } from "./applied-targets.js";
import { missingReason, missingText } from "./missing.js";
import { UnitTable } from "./unit-table.js";
import { UnreliableMark, UnreliableNote, changeLine, intervalText, rankLine, targetLine, uncertaintyTooltip } from "./uncertainty.js";
import { U } from "./uncertainty-strings.js";

export function ResultsView(props: ViewProps & { indexTitle: string; round: RoundInfo; unitLevel: string; roundTitle(id: string): string }) {
  const { filters, lang } = props;
  const key = JSON.stringify([filters.round, filters.unit, filters.group, filters.asOf, filters.variant, filters.compare]);
  const results = useAsync(() => api.results(filters, { compare: filters.compare }), key);
  // Every stored target the viewer may see (the server evaluates only those set for exactly this unit).
  const stored = useAsync(
    () => api.targets({ ...filters, unit: null, group: null, compare: null }).then((t) => t.targets),
    JSON.stringify([filters.round, filters.asOf, filters.variant]),
  );
  const path = useAsync(() => (filters.unit ? api.unitPath(filters.unit).then((p) => p.path.map((u) => u.key)) : Promise.resolve([])), filters.unit ?? "");
  const targets = stored.state === "ok" ? stored.data : [];
  const above = path.state === "ok" ? path.data : [];
  return (
    <Show value={results} lang={lang}>
      {(data) => {
        const applied = filters.unit ? appliedTargets(targets, filters.unit, above, filters.group) : [];
        const goals = filters.unit ? nodeGoals(data.root, applied, data.display, filters.compare) : new Map<string, NodeGoal>();
        return (
          <>
            <Summary data={data} lang={lang} />
            <section class="card">
              <h2 class="print-only">{fill(tr(D.reportTitle, lang), { index: props.indexTitle })}</h2>
              <TreeTable data={data} lang={lang} goals={goals} />
              {data.derived.length > 0 && <Derived data={data} lang={lang} />}
            </section>
            {applied.length > 0 && <AppliedTargets applied={applied} goals={goals} data={data} lang={lang} roundTitle={props.roundTitle} />}
            <UnitTable {...props} data={data} targets={targets} above={above} />
          </>
        );
      }}
    </Show>
  );
}

/** The targets that apply to the unit shown, where each was set, and how far the unit is from it. */
function AppliedTargets({
  applied,
  goals,
  data,
  lang,
  roundTitle,
}: {
  applied: AppliedTarget[];
  goals: Map<string, NodeGoal>;
  data: ResultsResponse;
  lang: Lang;
  roundTitle(id: string): string;
}) {
  const d = data.decimals;
  const nodes = new Map(flatten(data.root).map(({ node }) => [node.code, node]));
  const scopeText = (a: AppliedTarget) =>
    a.scope === "above" ? fill(tr(D.targetScope.above, lang), { name: a.target.unit ?? "" }) : tr(D.targetScope[a.scope], lang);
  const describe = (t: TargetInput): string => {
    const name = (code: string) => `${code} ${nodes.get(code) ? nodeLabel(nodes.get(code)!, lang, true) : ""}`.trim();
    if (t.kind === "value") {
      const g = goals.get(t.node);
      const gap =
        g && g.from.target === t && g.gap !== null ? ` — ${g.gap > 0 ? fill(tr(D.gapShort, lang), { gap: fmt(g.gap, d, lang) }) : tr(D.metShort, lang)}` : "";
      return `${name(t.node)} ≥ ${fmt(t.value, d, lang)}${gap}`;
    }
    if (t.kind === "rank") return fill(tr(D.rankTarget, lang), { node: name(t.node), rank: t.rank });
    if (t.kind === "performanceGroup") return fill(tr(D.groupTarget, lang), { node: name(t.node), n: t.atLeast });
    const base = t.base ? roundTitle(t.base) : tr(D.thisRound, lang);
    const text = fill(tr(D.ruleTarget, lang), { level: levelName(t.level, lang), delta: signed(t.delta, d, lang), base });
    const used = [...goals.values()].some((g) => g.from.target === t);
    return t.base && !used ? `${text} (${fill(tr(D.ruleNeedsCompare, lang), { round: base })})` : text;
  };
  return (
    <section class="card applied-targets">
      <h2>{tr(D.appliedTargets, lang)}</h2>
      <ul>
        {applied.map((a, i) => (
          <li key={i}>
            <span class="kind">{tr(D.kinds[a.target.kind]!, lang)}</span> {describe(a.target)} <span class="muted small">({scopeText(a)})</span>
          </li>
        ))}
      </ul>
    </section>
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
        {data.root.delta?.value != null && (
          <span class={`delta ${data.root.delta.value >= 0 ? "up" : "down"}${data.root.change && !data.root.change.significant ? " noise" : ""}`}>
            {signed(data.root.delta.value, data.decimals, lang)}
          </span>
        )}
      </p>
      {data.root.ci && data.root.value !== null && (
        <p class="interval">
          {tr(U.ciLong, lang)}: <strong>{intervalText(data.root, data.decimals, lang)}</strong>
          <UnreliableMark node={data.root} lang={lang} />
          <span class="muted">
            {" · "}
            {tr(U.deff, lang)} {fmt(data.root.deff ?? null, 2, lang)} · {tr(U.nEff, lang)} {fmt(data.root.nEff ?? null, 0, lang)}
          </span>
        </p>
      )}
      {[changeLine(nodeLabel(data.root, lang, true), data.root, data.decimals, lang), rankLine(data.root, lang), targetLine(data.root, data.decimals, lang)]
        .filter((line): line is string => line !== null)
        .map((line) => (
          <p key={line} class="plain-line">
            {line}
          </p>
        ))}
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
function TreeTable({ data: given, lang, goals }: { data: ResultsResponse; lang: "vi" | "en"; goals: Map<string, NodeGoal> }) {
  // Targets set above the unit shown (the round's, its province's) fill the target columns the server left empty.
  const withGoals = (node: ResultNode): ResultNode => {
    const g = goals.get(node.code);
    return {
      ...node,
      ...(!node.target && g ? { target: { value: g.goal, measure: g.measure, gap: g.gap, flags: [] } } : {}),
      ...(node.children ? { children: node.children.map(withGoals) } : {}),
    };
  };
  const data = goals.size ? { ...given, root: withGoals(given.root) } : given;
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
  const showCi = has((n) => n.ci);
  const anyUnreliable = rows.some(({ node }) => node.unreliable && node.value !== null);
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
              {showPoints && (
                <th scope="col" class="num">
                  {tr(D.max, lang)}
                </th>
              )}
              {showPoints && (
                <th scope="col" class="num">
                  {tr(D.score, lang)}
                </th>
              )}
              <th scope="col" class="num">
                {tr(D.percent, lang)}
              </th>
              {showCi && (
                <th scope="col" class="num">
                  <abbr title={tr(U.ciLong, lang)}>{tr(U.ci, lang)}</abbr>
                </th>
              )}
              {showCi && (
                <th scope="col" class="num">
                  <abbr title={tr(U.deff, lang)}>{tr(U.deffShort, lang)}</abbr>
                </th>
              )}
              {showCi && (
                <th scope="col" class="num">
                  <abbr title={tr(U.nEff, lang)}>{tr(U.nEffShort, lang)}</abbr>
                </th>
              )}
              {showRank && (
                <th scope="col" class="num">
                  {tr(D.rank, lang)}
                </th>
              )}
              {showPrevious && (
                <th scope="col" class="num">
                  {tr(D.previous, lang)}
                </th>
              )}
              {showPrevious && (
                <th scope="col" class="num">
                  {tr(D.change, lang)}
                </th>
              )}
              {showTarget && (
                <th scope="col" class="num">
                  {tr(D.target, lang)}
                </th>
              )}
              {showTarget && (
                <th scope="col" class="num">
                  {tr(D.gap, lang)}
                </th>
              )}
              <th scope="col" class="num">
                {tr(D.valid, lang)}
              </th>
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
                        <span aria-hidden="true" class="no-print">
                          {isOpen ? "▾" : "▸"}
                        </span>{" "}
                        {nodeLabel(node, lang)}
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
                      ci={node.ci ?? null}
                      unreliable={Boolean(node.unreliable)}
                      label={`${nodeLabel(node, lang)}: ${fmt(node.value, d, lang)}`}
                      tooltip={node.se !== undefined ? uncertaintyTooltip(nodeLabel(node, lang), node, d, lang) : undefined}
                    />
                  </td>
                  {showPoints && <td class="num">{fmt(node.max, d, lang)}</td>}
                  {showPoints && (
                    <td class="num strong">
                      <Value value={node.points} why={missingReason(data, node)} data={data} lang={lang} />
                      <UnreliableMark node={node} lang={lang} />
                    </td>
                  )}
                  <td class={`num${showPoints ? "" : " strong"}`}>
                    <Value value={node.percent} why={showPoints ? null : missingReason(data, node)} data={data} lang={lang} />
                    {!showPoints && <UnreliableMark node={node} lang={lang} />}
                  </td>
                  {showCi && <td class="num ci-cell">{intervalText(node, d, lang)}</td>}
                  {showCi && <td class="num">{fmt(node.deff ?? null, 2, lang)}</td>}
                  {showCi && <td class="num">{fmt(node.nEff ?? null, 0, lang)}</td>}
                  {showRank && (
                    <td class="num" title={rankLine(node, lang) ?? undefined}>
                      {node.rank != null ? `${node.rank}/${node.of}` : "–"}
                      {node.rank != null && node.rankRange && (
                        <span class="muted small"> ({fill(tr(U.rankRangeShort, lang), { best: node.rankRange.best, worst: node.rankRange.worst })})</span>
                      )}
                    </td>
                  )}
                  {showPrevious && <td class="num">{fmt(node.previous?.value, d, lang)}</td>}
                  {showPrevious && (
                    <td
                      class={`num delta ${(node.delta?.value ?? 0) >= 0 ? "up" : "down"}${node.change && !node.change.significant ? " noise" : ""}`}
                      title={changeLine(nodeLabel(node, lang, true), node, d, lang) ?? undefined}
                    >
                      {node.counterpart === null ? <abbr title={tr(D.added, lang)}>+</abbr> : signed(node.delta?.value, d, lang)}
                    </td>
                  )}
                  {showTarget && (
                    <td class={`num${node.target?.status ? ` target-${node.target.status}` : ""}`} title={targetLine(node, d, lang) ?? undefined}>
                      {fmt(node.target?.value, d, lang)}
                    </td>
                  )}
                  {showTarget && <td class={`num${node.target?.flags.includes("above_max") ? " flag" : ""}`}>{signed(node.target?.gap, d, lang)}</td>}
                  <td class="num muted">{fmt(node.valid, 0, lang)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableWrap>
      {anyUnreliable && <UnreliableNote lang={lang} />}
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
            {d.ci && d.value !== null && (
              <span class="muted">
                {" "}
                ({tr(U.ci, lang)} {intervalText(d, data.decimals, lang)})
              </span>
            )}
            <UnreliableMark node={d} lang={lang} />
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A value, or why there is none (suppressed, no responses, not asked): visible text and its full sentence. */
function Value({ value, why, data, lang }: { value: number | null; why: ReturnType<typeof missingReason>; data: ResultsResponse; lang: Lang }) {
  if (value !== null || !why) return <>{fmt(value, data.decimals, lang)}</>;
  const t = missingText(why, lang, { responses: data.responses, min: data.minCellSize });
  return (
    <span class="missing" title={t.long}>
      {t.short}
      <span class="sr-only">: {t.long}</span>
    </span>
  );
}

export type { Filters };
