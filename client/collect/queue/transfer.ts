/**
 * The escape hatch when a device cannot sync: pending responses exported to JSON files that are
 * exactly POST /api/sync bodies ({round, deviceId, responses}, at most 500 each), so another device
 * can import them or a desktop can upload them with curl (see README.md beside this file).
 */
import type { SubmissionInput } from "../../../shared/api/schemas.js";
import type { Text } from "../../common/i18n.js";
import type { LocalResponse, OfflineUnit } from "../db.js";
import { SYNC_BATCH } from "./sync.js";

export interface SyncBatchFile {
  round: string;
  deviceId: string;
  responses: SubmissionInput[];
}

/**
 * Files for the responses not yet acknowledged (queued and rejected) of every round on the device:
 * one or more per round (a sync body names one round), in chunks the server accepts.
 */
export function exportFiles(device: string, pending: readonly LocalResponse[], date = new Date()): Array<{ name: string; text: string }> {
  const byRound = new Map<string, SubmissionInput[]>();
  for (const r of pending) {
    if (!r.submission) continue;
    const list = byRound.get(r.round) ?? [];
    list.push(r.submission);
    byRound.set(r.round, list);
  }
  const day = date.toISOString().slice(0, 10);
  const files: Array<{ name: string; text: string }> = [];
  for (const [round, subs] of [...byRound.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (let i = 0; i < subs.length; i += SYNC_BATCH) {
      const part = subs.length > SYNC_BATCH ? `-${i / SYNC_BATCH + 1}` : "";
      const body: SyncBatchFile = { round, deviceId: device, responses: subs.slice(i, i + SYNC_BATCH) };
      files.push({ name: `chiso-${round}-${day}${part}.json`, text: JSON.stringify(body, null, 1) });
    }
  }
  return files;
}

export function downloadFile(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export class ImportError extends Error {
  constructor(readonly text: Text) {
    super(text.en);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * One file's responses as queued records of the file's round (the queue is the device's, whatever
 * round is open); `unitsOf` gives a downloaded round's units to name them. The server re-checks
 * everything on sync.
 */
export function parseImport(text: string, unitsOf: (round: string) => readonly OfflineUnit[]): LocalResponse[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ImportError({ vi: "Tệp không phải JSON hợp lệ.", en: "The file is not valid JSON." });
  }
  if (!isObject(data) || typeof data.round !== "string" || !Array.isArray(data.responses)) {
    throw new ImportError({ vi: "Tệp không phải tệp xuất phiếu của chiso.", en: "The file is not a chiso export file." });
  }
  const round = data.round;
  const names = new Map(unitsOf(round).map((u) => [u.key, u]));
  const now = new Date().toISOString();
  return data.responses.map((raw, i): LocalResponse => {
    const ok =
      isObject(raw) &&
      typeof raw.id === "string" &&
      UUID.test(raw.id) &&
      isObject(raw.instrument) &&
      typeof raw.unit === "string" &&
      typeof raw.group === "string" &&
      isObject(raw.answers);
    if (!ok) throw new ImportError({ vi: `Phiếu thứ ${i + 1} trong tệp không đúng định dạng.`, en: `Response ${i + 1} in the file is malformed.` });
    // The server stores ids in lower case; the same here keeps duplicates recognisable.
    const submission = { ...(raw as unknown as SubmissionInput), id: (raw.id as string).toLowerCase() };
    const unit = names.get(submission.unit);
    return {
      id: submission.id,
      round,
      state: "queued",
      unit: { key: submission.unit, name: unit?.fullName ?? submission.unit, ...(unit?.parentName ? { detail: unit.parentName } : {}) },
      group: submission.group,
      answers: submission.answers as LocalResponse["answers"],
      section: null,
      startedAt: submission.startedAt ?? now,
      createdAt: now,
      updatedAt: now,
      submission,
      imported: true,
    };
  });
}
