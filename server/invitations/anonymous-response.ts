/**
 * How an anonymous (invitation) response is prepared for the store: at its published cell
 * (round × group × province), with no time at all — not the day of receipt, not the device's
 * times, in the columns and in the stored payload alike. Used by the answer route and the demo.
 */
import type { AppContext } from "../app-context.js";
import { prepareSubmission, type PreparedResponse } from "../responses/prepare.js";

export interface AnonymousSubmission {
  id: string;
  instrument: { id: string; version: string };
  /** The published unit (the province). */
  unit: string;
  group: string;
  answers: Record<string, unknown>;
}

export async function prepareAnonymous(ctx: AppContext, roundId: string, s: AnonymousSubmission): Promise<PreparedResponse> {
  // Only these fields are passed on: startedAt, submittedAt, deviceId and enumeratorId never reach the row.
  const submission = { id: s.id, instrument: s.instrument, unit: s.unit, group: s.group, channel: "invitation", answers: s.answers };
  const prepared = await prepareSubmission(ctx, roundId, submission, { allowedChannels: ["invitation"], blurTimes: true, storedUnitLevel: "province" });
  const r = prepared.response;
  r.received_on = "";
  r.received_at = null;
  r.started_at = null;
  r.submitted_at = null;
  r.device_id = null;
  r.enumerator_id = null;
  r.clock_offset_s = null;
  r.time_review = null;
  return prepared;
}
