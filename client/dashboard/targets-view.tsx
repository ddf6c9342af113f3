/** Targets: how far each result is from its target, flags for targets that are too low or impossible, and an editor. */
import { useState } from "preact/hooks";
import { HttpError } from "../common/net.js";
import { problemText, tr } from "../common/i18n.js";
import type { TargetInput } from "../../shared/results/schemas.js";
import type { TargetResult } from "../../shared/results/types.js";
import { HeaderRow } from "../common/ui.js";
import { api } from "./api.js";
import { D } from "./strings.js";
import { Show, TableWrap, fmt, levelName, signed, useAsync, type ViewProps } from "./common.js";

export function TargetsView(
  props: ViewProps & { nodes: Array<{ code: string; label: string }>; levels: string[]; rounds: Array<{ value: string; label: string }> },
) {
  const { filters, lang } = props;
  const [version, setVersion] = useState(0);
  const key = JSON.stringify([filters.round, filters.unit, filters.group, filters.asOf, filters.variant, version]);
  const targets = useAsync(() => api.targets(filters), key);
  return (
    <Show value={targets} lang={lang}>
      {(data) => (
        <>
          <section class="card">
            {data.evaluation.length === 0 ? (
              <p class="muted">{tr(D.noTargets, lang)}</p>
            ) : (
              <Evaluation rows={data.evaluation} decimals={data.decimals} lang={lang} />
            )}
          </section>
          <Editor {...props} initial={data.targets} onSaved={() => setVersion(version + 1)} />
        </>
      )}
    </Show>
  );
}

function Evaluation({ rows, decimals, lang }: { rows: TargetResult[]; decimals: number; lang: "vi" | "en" }) {
  const show = (r: TargetResult, v: number | null, label?: { vi: string; en: string }) =>
    label ? tr(label, lang) : r.measure === "rank" || r.measure === "group" ? (v ?? "–") : fmt(v, decimals, lang);
  return (
    <TableWrap label={tr(D.targetList, lang)}>
      <table class="targets">
        <HeaderRow
          labels={[
            tr(D.code, lang),
            tr(D.criterion, lang),
            tr(D.kind, lang),
            { label: tr(D.current, lang), num: true },
            { label: tr(D.goal, lang), num: true },
            { label: tr(D.gap, lang), num: true },
            tr(D.met, lang),
          ]}
        />
        <tbody>
          {rows.map((r, i) => (
            <tr key={`${r.target}-${r.node}-${i}`}>
              <td class="code">{r.node}</td>
              <td>{tr(r.label, lang)}</td>
              <td>{tr(D.kinds[r.kind]!, lang)}</td>
              <td class="num">{show(r, r.current, r.currentLabel)}</td>
              <td class="num strong">{show(r, r.goal, r.goalLabel)}</td>
              <td class="num">{r.measure === "rank" || r.measure === "group" ? signed(r.gap, 0, lang) : signed(r.gap, decimals, lang)}</td>
              <td>
                {r.met === null ? "–" : r.met ? <span class="ok">{tr(D.met, lang)}</span> : tr(D.notMet, lang)}
                {r.flags.map((f) => (
                  <span key={f} class={`flag-badge ${f}`}>
                    {tr(D.flags[f]!, lang)}
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

type Draft = { kind: TargetInput["kind"]; node: string; value: string; level: string; delta: string; base: string; rank: string; atLeast: string };

function Editor(
  props: ViewProps & {
    initial: TargetInput[];
    onSaved(): void;
    nodes: Array<{ code: string; label: string }>;
    levels: string[];
    rounds: Array<{ value: string; label: string }>;
  },
) {
  const { lang, filters } = props;
  const [list, setList] = useState<TargetInput[]>(props.initial);
  const [draft, setDraft] = useState<Draft>({
    kind: "value",
    node: props.nodes[0]?.code ?? "",
    value: "",
    level: props.levels[props.levels.length - 1] ?? "",
    delta: "",
    base: "",
    rank: "",
    atLeast: "2",
  });
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const scope = { ...(filters.unit ? { unit: filters.unit } : {}), ...(filters.group ? { group: filters.group } : {}) };
  const add = () => {
    const num = (s: string) => Number(s.replace(",", "."));
    let t: TargetInput;
    if (draft.kind === "value") t = { kind: "value", node: draft.node, value: num(draft.value), ...scope };
    else if (draft.kind === "rank") t = { kind: "rank", node: draft.node, rank: Math.round(num(draft.rank)), ...scope };
    else if (draft.kind === "performanceGroup") t = { kind: "performanceGroup", node: draft.node, atLeast: Math.round(num(draft.atLeast)), ...scope };
    else t = { kind: "rule", level: draft.level, delta: num(draft.delta), ...(draft.base ? { base: draft.base } : {}), ...scope };
    setList([...list, t]);
  };
  const save = async () => {
    try {
      const saved = await api.saveTargets(filters, list);
      setList(saved.targets);
      setMessage({ kind: "ok", text: tr(D.saved, lang) });
      props.onSaved();
    } catch (e) {
      const body = e instanceof HttpError ? e.body?.error : undefined;
      const details = body?.errors?.map((x) => (lang === "vi" ? x.message_vi : x.message_en)).join(" ") ?? "";
      setMessage({ kind: "error", text: `${problemText(body, lang)} ${details}` });
    }
  };
  const field = (name: keyof Draft, label: string, input: preact.JSX.Element) => (
    <label class="field" key={name}>
      <span>{label}</span>
      {input}
    </label>
  );
  const text = (name: keyof Draft) => (
    <input name={name} inputMode="decimal" value={draft[name]} onInput={(e) => setDraft({ ...draft, [name]: (e.currentTarget as HTMLInputElement).value })} />
  );
  const describe = (t: TargetInput) =>
    t.kind === "rule"
      ? `${t.level} ${t.delta >= 0 ? "+" : ""}${t.delta}${t.base ? ` (${t.base})` : ""}`
      : t.kind === "value"
        ? `${t.node} ≥ ${t.value}`
        : t.kind === "rank"
          ? `${t.node}: top ${t.rank}`
          : `${t.node}: ≤ ${t.atLeast}`;
  return (
    <section class="card no-print">
      <h2>{tr(D.targetList, lang)}</h2>
      <ul class="target-list">
        {list.map((t, i) => (
          <li key={i}>
            <span class="kind">{tr(D.kinds[t.kind]!, lang)}</span> {describe(t)} {t.unit ? <span class="muted small">({t.unit})</span> : null}
            <button type="button" class="btn small secondary" onClick={() => setList(list.filter((_, j) => j !== i))}>
              {tr(D.remove, lang)}
            </button>
          </li>
        ))}
      </ul>
      <div class="controls">
        {field(
          "kind",
          tr(D.kind, lang),
          <select name="kind" value={draft.kind} onChange={(e) => setDraft({ ...draft, kind: (e.currentTarget as HTMLSelectElement).value as Draft["kind"] })}>
            {(["value", "rank", "performanceGroup", "rule"] as const).map((k) => (
              <option key={k} value={k}>
                {tr(D.kinds[k]!, lang)}
              </option>
            ))}
          </select>,
        )}
        {draft.kind !== "rule" &&
          field(
            "node",
            tr(D.node, lang),
            <select name="node" value={draft.node} onChange={(e) => setDraft({ ...draft, node: (e.currentTarget as HTMLSelectElement).value })}>
              {props.nodes.map((n) => (
                <option key={n.code} value={n.code}>
                  {n.label}
                </option>
              ))}
            </select>,
          )}
        {draft.kind === "value" && field("value", tr(D.goal, lang), text("value"))}
        {draft.kind === "rank" && field("rank", tr(D.targetRank, lang), text("rank"))}
        {draft.kind === "performanceGroup" && field("atLeast", tr(D.atLeast, lang), text("atLeast"))}
        {draft.kind === "rule" &&
          field(
            "level",
            tr(D.level, lang),
            <select name="level" value={draft.level} onChange={(e) => setDraft({ ...draft, level: (e.currentTarget as HTMLSelectElement).value })}>
              {props.levels.map((l) => (
                <option key={l} value={l}>
                  {levelName(l, lang)}
                </option>
              ))}
            </select>,
          )}
        {draft.kind === "rule" && field("delta", tr(D.delta, lang), text("delta"))}
        {draft.kind === "rule" &&
          field(
            "base",
            tr(D.base, lang),
            <select name="base" value={draft.base} onChange={(e) => setDraft({ ...draft, base: (e.currentTarget as HTMLSelectElement).value })}>
              <option value="">{tr(D.thisRound, lang)}</option>
              {props.rounds.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </select>,
          )}
        <button type="button" class="btn secondary" onClick={add}>
          {tr(D.addTarget, lang)}
        </button>
      </div>
      <p>
        <button type="button" class="btn" onClick={() => void save()}>
          {tr(D.saveTargets, lang)}
        </button>
      </p>
      {message && (
        <div class={`notice ${message.kind}`} role={message.kind === "error" ? "alert" : "status"}>
          {message.text}
        </div>
      )}
    </section>
  );
}
