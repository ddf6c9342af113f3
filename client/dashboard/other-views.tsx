/** Ranking table, year-on-year chart, weakest criteria and collection progress. */
import { fill, tr } from "../common/i18n.js";
import type { Lang } from "../../shared/i18n.js";
import type { ResultNode } from "../../shared/results/types.js";
import { HeaderRow } from "../common/ui.js";
import { api } from "./api.js";
import { ColumnChart, PairedBars, ProgressBar, ValueBar } from "./charts.js";
import { D } from "./strings.js";
import { missingReason, missingText } from "./missing.js";
import { Select, Show, TableWrap, flatten, fmt, levelName, levelsOfTree, nodeLabel, scaleOf, signed, useAsync, type ViewProps } from "./common.js";
import { UNIT_LEVELS } from "../../shared/units/levels.js";

/** Units of a level ranked at one node, with performance groups (PAPI) and peer-group ranks. */
export function RankingView(props: ViewProps & { defaultLevel: string }) {
  const { filters, update, lang } = props;
  const level = filters.level ?? props.defaultLevel;
  const key = JSON.stringify([filters.round, filters.unit, filters.group, filters.asOf, filters.variant, filters.compare, level, filters.node, filters.peers]);
  const ranking = useAsync(() => api.ranking(filters, level, filters.node), key);
  const tree = useAsync(() => api.results({ ...filters, unit: null }), JSON.stringify([filters.round, filters.variant]));
  const peers = useAsync(() => api.peerGroups(), "peers");
  return (
    <section class="card">
      <div class="controls">
        <Select
          name="level"
          label={tr(D.level, lang)}
          value={level}
          options={UNIT_LEVELS.map((l) => ({ value: l, label: tr(D.levels[l]!, lang) }))}
          onChange={(v) => update({ level: v })}
        />
        {tree.state === "ok" && (
          <Select
            name="node"
            label={tr(D.node, lang)}
            value={filters.node ?? tree.data.root.code}
            options={flatten(tree.data.root)
              .filter(({ depth }) => depth <= 2)
              .map(({ node, depth }) => ({ value: node.code, label: `${"  ".repeat(depth)}${node.code} ${nodeLabel(node, lang, true)}` }))}
            onChange={(v) => update({ node: v })}
          />
        )}
        {peers.state === "ok" && peers.data.peerGroups.length > 0 && (
          <Select
            name="peers"
            label={tr(D.peers, lang)}
            value={filters.peers}
            options={[{ value: "", label: tr(D.national, lang) }, ...peers.data.peerGroups.map((p) => ({ value: p.id, label: tr(p.label, lang) }))]}
            onChange={(v) => update({ peers: v })}
          />
        )}
      </div>
      <Show value={ranking} lang={lang}>
        {(data) => {
          const rows = filters.peers ? data.rows.filter((r) => r.peerRank !== undefined) : data.rows;
          const hasPrevious = rows.some((r) => r.previous);
          const d = data.decimals;
          return (
            <TableWrap label={tr(D.views.ranking, lang)}>
              <table class="ranking">
                <caption>
                  {data.node.code} {tr(data.node.label, lang)}
                </caption>
                <thead>
                  <tr>
                    <th scope="col" class="num">
                      {tr(D.rank, lang)}
                    </th>
                    <th scope="col">{tr(D.unit, lang)}</th>
                    <th scope="col" class="num">
                      {tr(D.responses, lang)}
                    </th>
                    <th scope="col" aria-hidden="true" />
                    <th scope="col" class="num">
                      {tr(D.value, lang)}
                    </th>
                    {data.performanceGroups && <th scope="col">{tr(D.perfGroup, lang)}</th>}
                    {hasPrevious && (
                      <th scope="col" class="num">
                        {tr(D.previous, lang)}
                      </th>
                    )}
                    {hasPrevious && (
                      <th scope="col" class="num">
                        {tr(D.rankChange, lang)}
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr key={r.unit.key}>
                      <td class="num strong">
                        {filters.peers ? (r.peerRank != null ? `${r.peerRank}/${r.peerOf}` : "–") : r.rank != null ? `${r.rank}/${r.of}` : "–"}
                      </td>
                      <td>{r.unit.fullName}</td>
                      <td class="num">{fmt(r.responses, 0, lang)}</td>
                      <td>
                        <ValueBar
                          value={r.value}
                          max={scaleOf({ max: data.node.max }, data.display)}
                          previous={r.previous?.value ?? null}
                          label={`${r.unit.fullName}: ${fmt(r.value, d, lang)}`}
                        />
                      </td>
                      <td class="num">{r.value === null ? <MissingValue row={r} min={data.minCellSize} lang={lang} /> : fmt(r.value, d, lang)}</td>
                      {data.performanceGroups && (
                        <td>{r.performanceGroup ? <span class={`pg pg-${r.performanceGroup.index}`}>{tr(r.performanceGroup.label, lang)}</span> : "–"}</td>
                      )}
                      {hasPrevious && <td class="num">{r.previous?.rank ?? "–"}</td>}
                      {hasPrevious && <td class={`num delta ${(r.delta?.rank ?? 0) >= 0 ? "up" : "down"}`}>{signed(r.delta?.rank, 0, lang)}</td>}
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          );
        }}
      </Show>
    </section>
  );
}

/** Why a ranked unit has no value: visible short text, the full sentence for screen readers and as a tooltip. */
function MissingValue({ row, min, lang }: { row: { responses: number; suppressed: boolean }; min: number; lang: Lang }) {
  const t = missingText(missingReason(row, null) ?? "noValid", lang, { responses: row.responses, min });
  return (
    <span class="missing" title={t.long}>
      {t.short}
      <span class="sr-only">: {t.long}</span>
    </span>
  );
}

/** Year on year at one level of the tree: paired bars and a table of changes; removed and new nodes listed. */
export function CompareView(props: ViewProps & { compareOptions: Array<{ value: string; label: string }> }) {
  const { filters, update, lang } = props;
  const key = JSON.stringify([filters.round, filters.unit, filters.group, filters.asOf, filters.variant, filters.compare]);
  const results = useAsync(() => (filters.compare ? api.results(filters, { compare: filters.compare }) : Promise.resolve(null)), key);
  return (
    <section class="card">
      <div class="controls">
        <Select
          name="compare"
          label={tr(D.compareWith, lang)}
          value={filters.compare}
          options={[{ value: "", label: tr(D.none, lang) }, ...props.compareOptions]}
          onChange={(v) => update({ compare: v })}
        />
      </div>
      {!filters.compare && <p class="notice info">{tr(D.compareNeeded, lang)}</p>}
      <Show value={results} lang={lang}>
        {(data) => {
          if (!data) return null;
          const levels = levelsOfTree(data.root);
          const level = filters.level && levels.includes(filters.level) ? filters.level : (levels[1] ?? levels[0]!);
          const nodes = flatten(data.root)
            .filter(({ node }) => node.level === level || node === data.root)
            .map((n) => n.node);
          const max = Math.max(...nodes.map((n) => scaleOf(n, data.display)));
          const scaled = (n: ResultNode) => (data.display === "points" && n.max !== null && n.max !== max ? null : n);
          const chartNodes = nodes.filter((n) => scaled(n) !== null && n !== data.root);
          return (
            <>
              <div class="controls">
                <Select
                  name="level"
                  label={tr(D.level, lang)}
                  value={level}
                  options={levels.map((l) => ({ value: l, label: levelName(l, lang) }))}
                  onChange={(v) => update({ level: v })}
                />
              </div>
              <PairedBars
                rows={chartNodes.map((n) => ({ label: `${n.code} ${nodeLabel(n, lang, true)}`, previous: n.previous?.value ?? null, current: n.value }))}
                max={max}
                decimals={data.decimals}
                lang={lang}
                title={tr(D.views.compare, lang)}
                legend={[data.compare ? tr(data.compare.title, lang) : tr(D.previous, lang), tr(D.current, lang)]}
              />
              <TableWrap label={tr(D.views.compare, lang)}>
                <table>
                  <HeaderRow
                    labels={[
                      tr(D.code, lang),
                      tr(D.criterion, lang),
                      { label: tr(D.previous, lang), num: true },
                      { label: tr(D.current, lang), num: true },
                      { label: tr(D.change, lang), num: true },
                      { label: tr(D.rankChange, lang), num: true },
                    ]}
                  />
                  <tbody>
                    {nodes.map((n) => (
                      <tr key={n.code}>
                        <td class="code">{n.code}</td>
                        <td>
                          {nodeLabel(n, lang)}
                          {n.counterpart && n.counterpart !== n.code && <span class="muted small"> ← {n.counterpart}</span>}
                        </td>
                        <td class="num">{fmt(n.previous?.value, data.decimals, lang)}</td>
                        <td class="num strong">{fmt(n.value, data.decimals, lang)}</td>
                        <td class={`num delta ${(n.delta?.value ?? 0) >= 0 ? "up" : "down"}`}>
                          {n.counterpart === null ? tr(D.added, lang) : signed(n.delta?.value, data.decimals, lang)}
                        </td>
                        <td class="num">{signed(n.delta?.rank, 0, lang)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
              {data.compare && data.compare.removed.length > 0 && (
                <div class="notice info">
                  <strong>{tr(D.removed, lang)}:</strong>{" "}
                  {data.compare.removed.map((r) => `${r.code} ${tr(r.label, lang)} (${fmt(r.value, data.decimals, lang)})`).join("; ")}
                </div>
              )}
              {data.compare && data.compare.added.length > 0 && (
                <p class="muted small">
                  {tr(D.added, lang)}: {data.compare.added.join(", ")}
                </p>
              )}
            </>
          );
        }}
      </Show>
    </section>
  );
}

/** The criteria furthest from their maximum (or target): the table each plan uses to assign remedial work. */
export function WeakestView(props: ViewProps & { levels: string[] }) {
  const { filters, update, lang } = props;
  const key = JSON.stringify([filters.round, filters.unit, filters.group, filters.asOf, filters.variant, filters.level, filters.against]);
  const level = filters.level && props.levels.includes(filters.level) ? filters.level : null;
  const weakest = useAsync(() => api.weakest(filters, level), key);
  return (
    <section class="card">
      <div class="controls">
        <Select
          name="level"
          label={tr(D.level, lang)}
          value={level}
          options={[{ value: "", label: "–" }, ...props.levels.map((l) => ({ value: l, label: levelName(l, lang) }))]}
          onChange={(v) => update({ level: v })}
        />
        <Select
          name="against"
          label={tr(D.against, lang)}
          value={filters.against}
          options={[
            { value: "max", label: tr(D.toMax, lang) },
            { value: "target", label: tr(D.toTarget, lang) },
          ]}
          onChange={(v) => update({ against: v === "target" ? "target" : "max" })}
        />
      </div>
      <Show value={weakest} lang={lang}>
        {(data) => (
          <TableWrap label={tr(D.views.weakest, lang)}>
            <table>
              <HeaderRow
                labels={[
                  tr(D.code, lang),
                  tr(D.criterion, lang),
                  { label: tr(D.value, lang), num: true },
                  { label: tr(D.max, lang), num: true },
                  { label: "", decorative: true },
                  { label: tr(D.gapToMax, lang), num: true },
                  { label: tr(D.target, lang), num: true },
                  { label: tr(D.gap, lang), num: true },
                ]}
              />
              <tbody>
                {data.rows.map((r) => (
                  <tr key={r.code}>
                    <td class="code">{r.code}</td>
                    <td>{nodeLabel(r, lang)}</td>
                    <td class="num strong">{fmt(r.value, data.decimals, lang)}</td>
                    <td class="num">{data.display === "points" && r.max !== null ? fmt(r.max, data.decimals, lang) : "100"}</td>
                    <td>
                      <ValueBar value={r.value} max={scaleOf(r, data.display)} target={r.target} label={`${r.code}: ${fmt(r.value, data.decimals, lang)}`} />
                    </td>
                    <td class="num">{fmt(r.gapToMax, data.decimals, lang)}</td>
                    <td class="num">{fmt(r.target, data.decimals, lang)}</td>
                    <td class="num">{signed(r.gapToTarget, data.decimals, lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </Show>
    </section>
  );
}

/** Responses against sample targets by unit, group, day and channel. */
export function ProgressView(props: ViewProps & { defaultLevel: string }) {
  const { filters, update, lang, groups } = props;
  const level = filters.level ?? null;
  const progress = useAsync(() => api.progress(filters, level), JSON.stringify([filters.round, level]));
  return (
    <Show value={progress} lang={lang}>
      {(data) => {
        const label = (n: number, t: number | null) =>
          t !== null ? fill(tr(D.ofTarget, lang), { n: fmt(n, 0, lang), t: fmt(t, 0, lang) }) : `${fmt(n, 0, lang)} — ${tr(D.noTarget, lang)}`;
        return (
          <>
            <section class="card">
              <p class="big">
                <strong>{fmt(data.total.responses, 0, lang)}</strong> <span class="unit-of">{tr(D.responses, lang).toLowerCase()}</span>
              </p>
              <ProgressBar value={data.total.responses} target={data.total.target} label={label(data.total.responses, data.total.target)} width={320} />
              <p class="muted">{label(data.total.responses, data.total.target)}</p>
            </section>
            <div class="grid2">
              <section class="card">
                <h2>{tr(D.byGroup, lang)}</h2>
                <Bars
                  title={tr(D.byGroup, lang)}
                  rows={data.byGroup.map((g) => ({
                    key: g.group,
                    name: tr(groups.find((x) => x.code === g.group)?.label ?? g.label, lang),
                    n: g.responses,
                    target: g.target,
                  }))}
                  lang={lang}
                  label={label}
                />
                <h2>{tr(D.byChannel, lang)}</h2>
                <Bars
                  title={tr(D.byChannel, lang)}
                  rows={data.byChannel.map((c) => ({
                    key: c.channel,
                    name: D.channels[c.channel] ? tr(D.channels[c.channel]!, lang) : c.channel,
                    n: c.responses,
                    target: null,
                  }))}
                  lang={lang}
                  label={label}
                />
              </section>
              <section class="card">
                <h2>{tr(D.byDay, lang)}</h2>
                <ColumnChart data={data.byDay.map((d) => ({ label: d.day, value: d.responses }))} lang={lang} title={tr(D.byDay, lang)} />
              </section>
            </div>
            <section class="card">
              <div class="controls">
                <h2>{tr(D.byUnit, lang)}</h2>
                <Select
                  name="level"
                  label={tr(D.level, lang)}
                  value={data.level}
                  options={UNIT_LEVELS.map((l) => ({ value: l, label: tr(D.levels[l]!, lang) }))}
                  onChange={(v) => update({ level: v })}
                />
              </div>
              <Bars
                title={tr(D.byUnit, lang)}
                rows={data.byUnit.map((u) => ({ key: u.unit.key, name: u.unit.fullName, n: u.responses, target: u.target }))}
                lang={lang}
                label={label}
              />
            </section>
          </>
        );
      }}
    </Show>
  );
}

function Bars(props: {
  rows: Array<{ key: string; name: string; n: number; target: number | null }>;
  lang: Lang;
  label: (n: number, t: number | null) => string;
  title: string;
}) {
  const top = Math.max(1, ...props.rows.map((r) => Math.max(r.n, r.target ?? 0)));
  return (
    <TableWrap label={props.title}>
      <table class="bars">
        <tbody>
          {props.rows.map((r) => (
            <tr key={r.key}>
              <th scope="row">{r.name}</th>
              <td>
                <ProgressBar
                  value={r.n}
                  target={r.target}
                  label={props.label(r.n, r.target)}
                  width={Math.max(40, Math.round((Math.max(r.n, r.target ?? 0) / top) * 220))}
                />
              </td>
              <td class="num">{r.target !== null ? `${fmt(r.n, 0, props.lang)}/${fmt(r.target, 0, props.lang)}` : fmt(r.n, 0, props.lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
