/**
 * Progress against the round's sample targets for the units this device collects in, offline:
 * what the server held when the round was downloaded, plus the interviews finished on this device
 * since (queued or sent). Units furthest from their target come first.
 */
import { fill, tr, type Lang } from "../common/i18n.js";
import type { LocalResponse, StoredRound } from "./db.js";
import { C } from "./strings.js";

/** A phone screen's worth; the rest is counted. */
const SHOWN = 30;

export interface UnitProgress {
  unit: string;
  name: string;
  done: number;
  target: number;
}

export function progressOf(round: StoredRound, recorded: readonly LocalResponse[]): UnitProgress[] {
  const targets = round.targets ?? [];
  if (targets.length === 0) return [];
  const names = new Map(round.units.map((u) => [u.key, u.fullName]));
  // Only what the server had not yet seen at download: those are in `received` already.
  const since = recorded.filter((r) => r.unit && r.createdAt >= round.downloadedAt);
  const byUnit = new Map<string, UnitProgress>();
  for (const t of targets) {
    const local = since.filter((r) => r.unit!.key === t.unit && (t.group === "" || r.group === t.group)).length;
    const p = byUnit.get(t.unit) ?? { unit: t.unit, name: names.get(t.unit) ?? t.unit, done: 0, target: 0 };
    p.done += t.received + local;
    p.target += t.target;
    byUnit.set(t.unit, p);
  }
  return [...byUnit.values()].sort((a, b) => b.target - b.done - (a.target - a.done) || (a.name < b.name ? -1 : 1));
}

export function TargetProgress({ round, recorded, lang }: { round: StoredRound; recorded: readonly LocalResponse[]; lang: Lang }) {
  const rows = progressOf(round, recorded);
  if (rows.length === 0) return null;
  return (
    <section data-testid="progress">
      <h2>{tr(C.progressTitle, lang)}</h2>
      <p class="hint">{tr(C.progressHelp, lang)}</p>
      <ul class="records">
        {rows.slice(0, SHOWN).map((p) => (
          <li key={p.unit} class="record progress-row" data-unit={p.unit}>
            <span class="record-name">{p.name}</span>
            <span class="progress-count">
              {p.done} / {p.target}
            </span>
            <progress max={p.target} value={Math.min(p.done, p.target)} aria-label={`${p.name}: ${p.done} / ${p.target}`} />
          </li>
        ))}
      </ul>
      {rows.length > SHOWN && <p class="hint">{fill(tr(C.progressMore, lang), { n: rows.length - SHOWN })}</p>}
    </section>
  );
}
