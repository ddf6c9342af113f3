/**
 * How interviews are named and timed in the enumerator app's lists: the instrument's instance name
 * (its `instanceName` expression over the answers) first, then the unit and group; times shown in
 * the server's clock when the device's clock is known to be off.
 */
import type { Instrument } from "../../shared/instrument/schema.js";
import { instanceNameOf } from "../../shared/instrument/instance-name.js";
import { fill, problemText, tr, type Lang } from "../common/i18n.js";
import type { LocalResponse, StoredRound } from "./db.js";
import { C } from "./strings.js";

/** Offsets below this are ordinary drift: times are shown as the device has them. */
export const NOTABLE_OFFSET_MS = 10 * 60 * 1000;

export interface RecordLabel {
  /** The instance name, or the unit when the instrument names none. */
  title: string;
  /** The unit and group (when the title is the instance name), for telling namesakes apart. */
  detail: string;
}

export function instanceName(instrument: Instrument, r: LocalResponse): string | null {
  if (r.instanceName) return r.instanceName;
  return Object.keys(r.answers).length ? instanceNameOf(instrument, r.answers) : null;
}

export function recordLabel(round: StoredRound, r: LocalResponse, lang: Lang): RecordLabel {
  const group = round.form.groups.length > 1 ? round.form.groups.find((g) => g.code === r.group) : undefined;
  const place = `${r.unit?.name ?? tr(C.noUnit, lang)}${group ? ` — ${tr(group.label, lang)}` : ""}`;
  const name = instanceName(round.form.instrument, r);
  return name ? { title: name, detail: place } : { title: place, detail: "" };
}

/** A device-clock time as the server's clock would have it (the offset learnt at the last sync). */
export function formatTime(iso: string, offsetMs: number, lang: Lang): string {
  const shift = Math.abs(offsetMs) >= NOTABLE_OFFSET_MS ? offsetMs : 0;
  return new Date(Date.parse(iso) - shift).toLocaleString(lang === "vi" ? "vi-VN" : "en-GB", { dateStyle: "short", timeStyle: "short" });
}

/** "3 ngày", "5 giờ", "20 phút": how far off the device's clock is, roughly. */
export function offsetText(offsetMs: number, lang: Lang): string {
  const abs = Math.abs(offsetMs);
  const amount =
    abs >= 36 * 3600_000
      ? fill(tr(C.days, lang), { n: Math.round(abs / 86_400_000) })
      : abs >= 3600_000
        ? fill(tr(C.hours, lang), { n: Math.round(abs / 3600_000) })
        : fill(tr(C.minutes, lang), { n: Math.round(abs / 60_000) });
  return fill(tr(offsetMs > 0 ? C.ahead : C.behind, lang), { t: amount });
}

/** Why the server refused a response: its field reasons (each naming its field) when it gave some, else the message. */
export function rejectionText(r: LocalResponse, lang: Lang): string {
  const error = r.rejection?.error;
  const fields = (error?.errors ?? []).map((e) => (lang === "vi" ? e.message_vi : e.message_en));
  return fields.length ? [...new Set(fields)].slice(0, 3).join(" ") : problemText(error, lang);
}

/** What the enumerator can do about a rejected response. */
export type RejectionRemedy = "fix" | "keep-server" | "send-again";

export function remedyOf(r: LocalResponse): RejectionRemedy {
  if (r.rejection?.status === "conflict") return "keep-server";
  // Nothing in the response to fix: the round closed or the round was refused as a whole.
  if (r.rejection?.status === "refused" || r.rejection?.error.code === "round_not_open") return "send-again";
  return "fix";
}
