/**
 * The dashboard for a PAR INDEX round: total /100 with its A, S and C parts, the area table, the
 * sub-criteria below their maximum grouped by lead agency (with the appendix download), a what-if
 * panel, and the evidence entry and review form of the self-assessment.
 */
import { useState } from "preact/hooks";
import { HttpError, requestJson } from "../common/net.js";
import { fill, tr, type Lang, type Text } from "../common/i18n.js";
import { ErrorBox, Loading, Select, TableWrap, fmt, signed, useAsync } from "./common.js";
import { P } from "./par-strings.js";
import type { AssessmentReply, EvidenceSave, ParTargetResult, WhatIfBody } from "../../shared/api/par-index.js";
import "./par-index.css";

interface Part {
  max: number;
  points: number | null;
}
interface ParNode {
  code: string;
  level: string;
  label: Text;
  max: number;
  points: number | null;
  percent: number | null;
  parts: Partial<Record<"A" | "S" | "C", Part>>;
  missing?: string[];
  children?: ParNode[];
}
interface Question {
  id: string;
  type: string;
  label: Text;
  choices?: string;
}
interface Definition {
  decimals: number;
  leafDecimals: number;
  agencies: Array<{ code: string; label: Text }>;
  root: DefNode;
}
interface DefNode {
  code: string;
  label: Text;
  source?: "A" | "S" | "C";
  agencies?: string[];
  evidence?: string[];
  children?: DefNode[];
}
interface RoundForm {
  round: { id: string; groups: string[] };
  definition: Definition;
  instrument: { sections: Array<{ items: Question[] }>; choiceLists: Record<string, Array<{ code: string; label: Text }>> };
  units: Array<{ key: string; fullName: string }>;
  /** A department's account: the agencies whose evidence it enters (empty: Sở Nội vụ). */
  me: { agencies: string[] };
}
interface Results {
  root: ParNode;
  group: string;
  rank: { rank: number | null; of: number };
  /** The stored targets that concern this unit and group, with the points and ranks still needed. */
  targets: ParTargetResult[];
  /** The other group (self-assessed ↔ appraised): its points per node. */
  other: { group: string; points: number | null; nodes: Record<string, number | null> } | null;
}
interface BelowRow {
  code: string;
  label: Text;
  max: number;
  points: number;
  lost: number;
  agencies: Array<{ code: string; label: Text }>;
  evidence: Array<{ question: string; label: Text | null; value: unknown }>;
}

const base = (round: string) => `/api/par/${encodeURIComponent(round)}`;
const q = (params: Record<string, string>) => `?${new URLSearchParams(params).toString()}`;

function leavesOf(node: DefNode): DefNode[] {
  return node.children ? node.children.flatMap(leavesOf) : [node];
}

export function ParIndexView({ roundId, lang }: { roundId: string; lang: Lang }) {
  const form = useAsync(() => requestJson<RoundForm>(base(roundId)), roundId);
  if (form.state === "loading") return <Loading lang={lang} />;
  if (form.state === "error") return <ErrorBox error={form.error} lang={lang} />;
  if (form.data.units.length === 0) return <p class="notice info">{tr(P.noUnits!, lang)}</p>;
  return <ParRound form={form.data} lang={lang} />;
}

function ParRound({ form, lang }: { form: RoundForm; lang: Lang }) {
  const [unit, setUnit] = useState(form.units[0]!.key);
  const [group, setGroup] = useState(form.round.groups.includes("tham-dinh") ? "tham-dinh" : form.round.groups[0]!);
  // Saving evidence or targets changes the results: bump the key to reload them.
  const [generation, setGeneration] = useState(0);
  const params = { unit, group };
  const key = JSON.stringify([params, generation]);
  const results = useAsync(() => requestJson<Results>(`${base(form.round.id)}/results${q(params)}`), key);
  const below = useAsync(() => requestJson<{ rows: BelowRow[] }>(`${base(form.round.id)}/below-maximum${q({ unit, group })}`), key);
  const groupLabel = (g: string) => tr(g === "tham-dinh" ? P.appraised! : P.selfAssessed!, lang);
  return (
    <div class="par-index">
      <h2>{tr(P.heading!, lang)}</h2>
      <div class="controls">
        <Select
          name="par-unit"
          label={tr(P.unit!, lang)}
          value={unit}
          options={form.units.map((u) => ({ value: u.key, label: u.fullName }))}
          onChange={(v) => v && setUnit(v)}
        />
        <Select
          name="par-group"
          label={tr(P.group!, lang)}
          value={group}
          options={form.round.groups.map((g) => ({ value: g, label: groupLabel(g) }))}
          onChange={(v) => v && setGroup(v)}
        />
      </div>
      {results.state === "loading" && <Loading lang={lang} />}
      {results.state === "error" && <ErrorBox error={results.error} lang={lang} />}
      {results.state === "ok" && <Summary results={results.data} decimals={form.definition.decimals} lang={lang} groupLabel={groupLabel} />}
      {results.state === "ok" && (
        <TargetsPanel
          key={`${unit}/${group}`}
          results={results.data}
          round={form.round.id}
          unit={unit}
          department={form.me.agencies.length > 0}
          decimals={form.definition.decimals}
          lang={lang}
          onSaved={() => setGeneration((g) => g + 1)}
        />
      )}
      {results.state === "ok" && <AreaTable results={results.data} decimals={form.definition.decimals} lang={lang} groupLabel={groupLabel} />}
      {below.state === "ok" && (
        <BelowMaximum rows={below.data.rows} round={form.round.id} unit={unit} group={group} lang={lang} decimals={form.definition.leafDecimals} />
      )}
      {/* A PAR INDEX round's groups are its two assessment groups (the server checks it). */}
      <WhatIfPanel form={form} unit={unit} group={group as WhatIfBody["group"]} lang={lang} />
      <EvidenceForm form={form} unit={unit} group={group} lang={lang} onSaved={() => setGeneration((g) => g + 1)} />
    </div>
  );
}

function Summary({ results, decimals, lang, groupLabel }: { results: Results; decimals: number; lang: Lang; groupLabel(g: string): string }) {
  const { root, rank } = results;
  const part = (label: Text, p: Part | undefined) =>
    p && (
      <div class="card par-part">
        <h3>{tr(label, lang)}</h3>
        <p class="big">
          <strong>{fmt(p.points, decimals, lang)}</strong> / {fmt(p.max, 0, lang)}
        </p>
      </div>
    );
  const other = results.other;
  return (
    <section class="summary par-summary" aria-label={tr(P.total!, lang)}>
      <div class="card par-total">
        <h3>{tr(P.total!, lang)}</h3>
        <p class="big" data-testid="par-total">
          <strong>{fmt(root.points, decimals, lang)}</strong> / {fmt(root.max, 0, lang)}
        </p>
        {rank.rank !== null && <p class="muted">{fill(tr(P.rank!, lang), { rank: rank.rank, of: rank.of })}</p>}
        {other && (
          <p class="muted" data-testid="par-other-total">
            {fill(tr(P.otherTotal!, lang), {
              group: groupLabel(other.group),
              points: fmt(other.points, decimals, lang),
              delta: root.points !== null && other.points !== null ? signed(root.points - other.points, decimals, lang) : "–",
            })}
          </p>
        )}
        {root.points === null && root.missing && (
          <p class="notice info">{fill(tr(P.noValue!, lang), { missing: root.missing.slice(0, 8).join(", ") + (root.missing.length > 8 ? "…" : "") })}</p>
        )}
      </div>
      {part(P.partA!, root.parts.A)}
      {part(P.partS!, root.parts.S)}
      {part(P.partC!, root.parts.C)}
    </section>
  );
}

function AreaTable({ results, decimals, lang, groupLabel }: { results: Results; decimals: number; lang: Lang; groupLabel(g: string): string }) {
  const { root, other } = results;
  const sc = (n: ParNode): Part | undefined => {
    const s = n.parts.S;
    const c = n.parts.C;
    if (!s && !c) return undefined;
    const points = (s && s.points === null) || (c && c.points === null) ? null : (s?.points ?? 0) + (c?.points ?? 0);
    return { max: (s?.max ?? 0) + (c?.max ?? 0), points };
  };
  return (
    <section class="card">
      <h3>{tr(P.areas!, lang)}</h3>
      <TableWrap label={tr(P.areas!, lang)}>
        <table class="par-areas">
          <thead>
            <tr>
              <th>{tr(P.area!, lang)}</th>
              <th>A</th>
              <th>S + C</th>
              <th>{tr(P.points!, lang)}</th>
              <th>{tr(P.percent!, lang)}</th>
              {other && (
                <th class="par-other" title={tr(P.otherHint!, lang)}>
                  {groupLabel(other.group)}
                  <br />
                  <small>({tr(P.difference!, lang)})</small>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {(root.children ?? []).map((a) => (
              <tr key={a.code}>
                <td>
                  {a.code}. {tr(a.label, lang)}
                </td>
                <td class="num">
                  {fmt(a.parts.A?.points, decimals, lang)}/{fmt(a.parts.A?.max, 1, lang)}
                </td>
                <td class="num">{sc(a) ? `${fmt(sc(a)!.points, decimals, lang)}/${fmt(sc(a)!.max, 1, lang)}` : "–"}</td>
                <td class="num strong">
                  {fmt(a.points, decimals, lang)}/{fmt(a.max, 1, lang)}
                </td>
                <td class="num">{fmt(a.percent, 1, lang)}</td>
                {other && (
                  <td class="num par-other">
                    {fmt(other.nodes[a.code], decimals, lang)}
                    <br />
                    <small class={diffClass(a.points, other.nodes[a.code])}>
                      {a.points !== null && other.nodes[a.code] != null ? signed(a.points - other.nodes[a.code]!, decimals, lang) : "–"}
                    </small>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </section>
  );
}

const diffClass = (a: number | null, b: number | null | undefined) => (a === null || b == null || Math.abs(a - b) < 5e-5 ? "delta" : "delta changed");

/** A failure in both languages, Vietnamese first, with each field's reason. */
function BilingualError({ error }: { error: unknown }) {
  const e = error instanceof HttpError ? error.body?.error : undefined;
  if (!e) return <ErrorBox error={error} lang="vi" />;
  return (
    <div class="notice error" role="alert">
      <p>
        <span lang="vi">{e.message_vi}</span> / <span lang="en">{e.message_en}</span>
      </p>
      {(e.errors ?? []).map((f) => (
        <p key={f.question}>
          <code>{f.question}</code>: <span lang="vi">{f.message_vi}</span> / <span lang="en">{f.message_en}</span>
        </p>
      ))}
    </div>
  );
}

/** The round's stored targets for this unit with what they still need, and the unit's own targets (≥ % of the maximum, rank). */
function TargetsPanel({
  results,
  round,
  unit,
  department,
  decimals,
  lang,
  onSaved,
}: {
  results: Results;
  round: string;
  unit: string;
  department: boolean;
  decimals: number;
  lang: Lang;
  onSaved(): void;
}) {
  const root = results.root.code;
  const own = results.targets.filter((t) => t.unit === unit && t.node === root);
  const [percent, setPercent] = useState(String(own.find((t) => t.kind === "value")?.goal ?? ""));
  const [rank, setRank] = useState(String(own.find((t) => t.kind === "rank")?.goal ?? ""));
  const [message, setMessage] = useState<{ error: unknown } | { ok: string } | null>(null);
  const save = async () => {
    const targets = [
      ...(percent !== "" ? [{ kind: "value", node: root, value: Number(percent), measure: "percent", unit }] : []),
      ...(rank !== "" ? [{ kind: "rank", node: root, rank: Number(rank), unit }] : []),
    ];
    try {
      await requestJson(`${base(round)}/targets${q({ unit })}`, { method: "PUT", json: { targets } });
      setMessage({ ok: tr(P.targetsSaved!, lang) });
      onSaved();
    } catch (error) {
      setMessage({ error });
    }
  };
  const line = (t: ParTargetResult) => {
    const where = t.node === root ? tr(P.total!, lang) : `${t.node} ${tr(t.label, lang)}`;
    const scope = tr(t.unit ? P.unitTarget! : P.roundTarget!, lang);
    if (t.kind === "value") {
      const goal = t.measure === "percent" ? `≥ ${fmt(t.goal, 1, lang)}% (${fmt(t.goalPoints, decimals, lang)})` : `≥ ${fmt(t.goal, decimals, lang)}`;
      const state = t.met ? tr(P.met!, lang) : t.pointsNeeded === null ? "–" : fill(tr(P.pointsNeeded!, lang), { points: fmt(t.pointsNeeded, decimals, lang) });
      return `${where} ${goal} — ${state} (${scope})`;
    }
    const state = t.met
      ? tr(P.met!, lang)
      : fill(tr(P.ranksNeeded!, lang), { current: t.current ?? "–", ranks: t.ranksNeeded ?? "–", points: fmt(t.pointsNeeded, decimals, lang) });
    return `${fill(tr(P.rankGoal!, lang), { rank: t.goal, of: results.rank.of })} — ${state} (${scope})`;
  };
  return (
    <section class="card par-targets">
      <h3>{tr(P.targets!, lang)}</h3>
      {results.targets.length === 0 && <p class="muted">{tr(P.noTargets!, lang)}</p>}
      <ul>
        {results.targets.map((t, i) => (
          <li key={i} class={t.met ? "met" : "not-met"} data-testid="par-target">
            {line(t)}
          </li>
        ))}
      </ul>
      {!department && (
        <div class="controls">
          <label class="field">
            <span>{tr(P.targetPercent!, lang)}</span>
            <input
              name="par-target-percent"
              type="number"
              min="0"
              max="100"
              step="0.1"
              value={percent}
              onInput={(e) => setPercent((e.target as HTMLInputElement).value)}
            />
          </label>
          <label class="field">
            <span>{tr(P.targetRank!, lang)}</span>
            <input name="par-target-rank" type="number" min="1" step="1" value={rank} onInput={(e) => setRank((e.target as HTMLInputElement).value)} />
          </label>
          <button type="button" class="btn small" onClick={save}>
            {tr(P.saveTargets!, lang)}
          </button>
        </div>
      )}
      {message && "error" in message && <BilingualError error={message.error} />}
      {message && "ok" in message && (
        <p class="ok" role="status">
          {message.ok}
        </p>
      )}
    </section>
  );
}

function BelowMaximum({
  rows,
  round,
  unit,
  group,
  lang,
  decimals,
}: {
  rows: BelowRow[];
  round: string;
  unit: string;
  group: string;
  lang: Lang;
  decimals: number;
}) {
  const byAgency = new Map<string, { label: Text; rows: BelowRow[] }>();
  for (const r of rows) {
    const lead = r.agencies[0] ?? { code: "-", label: { vi: "—", en: "—" } };
    const entry = byAgency.get(lead.code) ?? { label: lead.label, rows: [] };
    entry.rows.push(r);
    byAgency.set(lead.code, entry);
  }
  const csv: Record<string, string> = lang === "vi" ? { sep: "semicolon", decimal: "comma" } : {};
  const link = (format: "csv" | "xlsx") => `${base(round)}/below-maximum${q({ unit, group, format, labels: lang, ...(format === "csv" ? csv : {}) })}`;
  return (
    <section class="card par-below">
      <h3>{tr(P.below!, lang)}</h3>
      <p class="table-tools">
        {tr(P.download!, lang)}:{" "}
        <a href={link("xlsx")} download>
          XLSX
        </a>{" "}
        <a href={link("csv")} download>
          CSV
        </a>
      </p>
      {rows.length === 0 && <p class="muted">{tr(P.noneBelow!, lang)}</p>}
      {[...byAgency.values()].map((a) => (
        <div key={tr(a.label, lang)} class="par-agency">
          <h4>
            {tr(a.label, lang)} ({a.rows.length})
          </h4>
          <ul>
            {a.rows.map((r) => (
              <li key={r.code}>
                <strong>{r.code}</strong> {tr(r.label, lang)} — {fmt(r.points, decimals, lang)}/{fmt(r.max, 2, lang)} ({tr(P.lost!, lang)}{" "}
                {fmt(r.lost, decimals, lang)})
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}

function WhatIfPanel({ form, unit, group, lang }: { form: RoundForm; unit: string; group: WhatIfBody["group"]; lang: Lang }) {
  const appraised = leavesOf(form.definition.root).filter((l) => l.source === "A");
  const [code, setCode] = useState<string | null>(null);
  const [points, setPoints] = useState("");
  const [sipas, setSipas] = useState("");
  const [answer, setAnswer] = useState<{ before: number | null; after: number | null } | { error: unknown } | null>(null);
  const run = async () => {
    const proposal: Record<string, Record<string, number>> = {};
    if (code && points !== "") proposal.given = { [code]: Number(points) };
    if (sipas !== "") proposal.sipas = { "PAR-8.1": Number(sipas) };
    try {
      const res = await requestJson<{ base: ParNode; proposed: ParNode }>(`${base(form.round.id)}/what-if`, {
        json: { unit, group, proposal } satisfies WhatIfBody,
      });
      setAnswer({ before: res.base.points, after: res.proposed.points });
    } catch (error) {
      setAnswer({ error });
    }
  };
  const d = form.definition.decimals;
  return (
    <section class="card par-what-if">
      <h3>{tr(P.whatIf!, lang)}</h3>
      <div class="controls">
        <Select
          name="what-if-code"
          label={tr(P.whatIfCode!, lang)}
          value={code}
          options={[{ value: "", label: "—" }, ...appraised.map((l) => ({ value: l.code, label: `${l.code} ${tr(l.label, lang).slice(0, 60)}` }))]}
          onChange={setCode}
        />
        <label class="field">
          <span>{tr(P.whatIfPoints!, lang)}</span>
          <input name="what-if-points" type="number" step="0.0001" min="0" value={points} onInput={(e) => setPoints((e.target as HTMLInputElement).value)} />
        </label>
        <label class="field">
          <span>{tr(P.whatIfSipas!, lang)}</span>
          <input
            name="what-if-sipas"
            type="number"
            step="0.01"
            min="0"
            max="10"
            value={sipas}
            onInput={(e) => setSipas((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="button" class="btn small" onClick={run}>
          {tr(P.compute!, lang)}
        </button>
      </div>
      {answer && "error" in answer && <ErrorBox error={answer.error} lang={lang} />}
      {answer && !("error" in answer) && (
        <p class="strong" role="status" data-testid="what-if-result">
          {fill(tr(P.proposedTotal!, lang), {
            after: fmt(answer.after, d, lang),
            delta: answer.after !== null && answer.before !== null ? signed(answer.after - answer.before, d, lang) : "–",
          })}
        </p>
      )}
    </section>
  );
}

function EvidenceForm({ form, unit, group, lang, onSaved }: { form: RoundForm; unit: string; group: string; lang: Lang; onSaved(): void }) {
  const url = `${base(form.round.id)}/assessments/${encodeURIComponent(unit)}/${encodeURIComponent(group)}`;
  const [generation, setGeneration] = useState(0);
  const loaded = useAsync(() => requestJson<AssessmentReply>(url), `${url}#${generation}`);
  const department = form.me.agencies;
  const [agency, setAgency] = useState<string | null>(department[0] ?? null);
  const [edits, setEdits] = useState<Record<string, string | number | null>>({});
  const [reason, setReason] = useState("");
  const [message, setMessage] = useState<{ error: unknown } | { ok: string } | null>(null);
  const questions = new Map(form.instrument.sections.flatMap((s) => s.items).map((i) => [i.id, i]));
  if (loaded.state !== "ok") return loaded.state === "error" ? <ErrorBox error={loaded.error} lang={lang} /> : <Loading lang={lang} />;
  const a = loaded.data.assessment;
  const leaves = leavesOf(form.definition.root).filter((l) => l.source === "A" && (!agency || l.agencies?.includes(agency)));
  const editable = a.status === "draft";
  const value = (id: string) => (id in edits ? edits[id] : a.answers[id]) ?? "";
  const done = async (p: Promise<unknown>, ok: string) => {
    try {
      await p;
      setEdits({});
      setMessage({ ok });
      setGeneration((g) => g + 1);
      onSaved();
    } catch (error) {
      setMessage({ error });
    }
  };
  const save = () => done(requestJson(url, { method: "PUT", json: { version: a.version, answers: edits } satisfies EvidenceSave }), tr(P.saved!, lang));
  const move = (action: "submit" | "review" | "return") =>
    done(
      requestJson(`${url}/transition`, { json: { action, version: a.version, ...(action === "return" ? { reason } : {}) } }),
      tr(P[action === "return" ? "returned" : action]!, lang).replace("{reason}", reason),
    );
  const input = (qid: string) => {
    const qn = questions.get(qid);
    if (!qn) return null;
    const set = (v: string) => setEdits((e) => ({ ...e, [qid]: v === "" ? null : qn.type === "integer" || qn.type === "decimal" ? Number(v) : v }));
    const common = { name: qid, disabled: !editable, value: String(value(qid)) };
    return (
      <label class="field" key={qid}>
        <span>{tr(qn.label, lang)}</span>
        {qn.type === "single" ? (
          <select {...common} onChange={(e) => set((e.target as HTMLSelectElement).value)}>
            <option value="">—</option>
            {(form.instrument.choiceLists[qn.choices ?? ""] ?? []).map((c) => (
              <option key={c.code} value={c.code}>
                {tr(c.label, lang)}
              </option>
            ))}
          </select>
        ) : (
          <input {...common} type={qn.type === "text" ? "text" : "number"} step="any" onInput={(e) => set((e.target as HTMLInputElement).value)} />
        )}
      </label>
    );
  };
  return (
    <section class="card par-evidence">
      <h3>{tr(P.evidence!, lang)}</h3>
      <p class="muted" data-testid="assessment-status">
        {fill(tr(P.status!, lang), { status: tr(P[a.status]!, lang), version: a.version })}
      </p>
      {a.returnReason && a.status === "draft" && <p class="notice info">{fill(tr(P.returned!, lang), { reason: a.returnReason })}</p>}
      {message && "error" in message && <ErrorBox error={message.error} lang={lang} />}
      {message && "ok" in message && (
        <p class="ok" role="status">
          {message.ok}
        </p>
      )}
      <div class="controls">
        {editable && (
          <button type="button" class="btn small" disabled={Object.keys(edits).length === 0} onClick={save}>
            {tr(P.save!, lang)}
          </button>
        )}
        {editable && a.version > 0 && department.length === 0 && (
          <button type="button" class="btn secondary small" onClick={() => move("submit")}>
            {tr(P.submit!, lang)}
          </button>
        )}
        {a.status === "submitted" && department.length === 0 && (
          <button type="button" class="btn small" onClick={() => move("review")}>
            {tr(P.review!, lang)}
          </button>
        )}
        {a.status !== "draft" && department.length === 0 && (
          <>
            <label class="field">
              <span>{tr(P.reason!, lang)}</span>
              <input name="return-reason" value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
            </label>
            <button type="button" class="btn secondary small" disabled={!reason.trim()} onClick={() => move("return")}>
              {tr(P.return!, lang)}
            </button>
          </>
        )}
      </div>
      <Select
        name="par-agency"
        label={tr(P.agency!, lang)}
        value={agency}
        options={[
          ...(department.length ? [] : [{ value: "", label: tr(P.allAgencies!, lang) }]),
          ...form.definition.agencies
            .filter((g) => department.length === 0 || department.includes(g.code))
            .map((g) => ({ value: g.code, label: tr(g.label, lang) })),
        ]}
        onChange={setAgency}
      />
      {leaves.map((l) => (
        <details key={l.code}>
          <summary>
            {l.code} {tr(l.label, lang)}
          </summary>
          {(l.evidence ?? []).map(input)}
        </details>
      ))}
    </section>
  );
}
