/** The respondent's draft and receipt in localStorage, so a reload, a closed tab or a lost connection loses nothing. */
import type { SubmissionInput } from "../../shared/api/schemas.js";
import type { Answers } from "../../shared/instrument/schema.js";
import type { UnitChoice } from "../common/unit-picker.js";
import { newUuid } from "../common/net.js";

export interface RespondDraft {
  v: 1;
  /** The response's UUID, made when the draft starts: every send of this response carries it. */
  id: string;
  round: string;
  instrument: { id: string; version: string };
  startedAt: string | null;
  unit: UnitChoice | null;
  group: string | null;
  answers: Answers;
  /** The section on screen; null = the start page (unit and group). */
  section: string | null;
  /**
   * The exact body being sent, frozen at the first attempt: resends must be byte-for-byte the
   * same content, or the server would see a different response under the same id (409).
   */
  sending: SubmissionInput | null;
}

export interface StoredReceipt {
  id: string;
  receipt: string;
}

const draftKey = (round: string) => `chiso.respond.draft.${round}`;
const receiptKey = (round: string) => `chiso.respond.receipt.${round}`;

function read<T>(key: string): T | null {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

function write(key: string, value: unknown): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or blocked: the form still works, only without surviving a reload.
  }
}

export function newDraft(round: string, instrument: { id: string; version: string }): RespondDraft {
  return { v: 1, id: newUuid(), round, instrument, startedAt: null, unit: null, group: null, answers: {}, section: null, sending: null };
}

/** The saved draft of this round, if it is for the questionnaire version the round uses now. */
export function loadDraft(round: string, instrument: { id: string; version: string }): RespondDraft | null {
  const d = read<RespondDraft>(draftKey(round));
  if (!d || d.v !== 1 || typeof d.id !== "string" || typeof d.answers !== "object" || d.answers === null) return null;
  // A different version may have different questions; its answers cannot be trusted to fit.
  if (d.instrument.id !== instrument.id || d.instrument.version !== instrument.version) return null;
  return d;
}

export const saveDraft = (d: RespondDraft) => write(draftKey(d.round), d);
export const clearDraft = (round: string) => write(draftKey(round), null);
export const loadReceipt = (round: string) => read<StoredReceipt>(receiptKey(round));
export const saveReceipt = (round: string, r: StoredReceipt | null) => write(receiptKey(round), r);
