/**
 * Turning a submitted response into rows: every check that does not need the database write lock
 * happens here (shape, round state, version, unit scope, group, answers), so the transaction only
 * stores. Device times are never refused, only flagged for review. User mistakes become a
 * Problem with field errors; nothing is written.
 */
import { SubmissionSchema, type Submission } from "../../shared/api/schemas.js";
import { controlCharacter, hasLoneSurrogate } from "../../shared/api/strings.js";
import { fieldError, type FieldError } from "../../shared/errors.js";
import { validateAnswers } from "../../shared/instrument/validate.js";
import { questionById } from "../../shared/instrument/walk.js";
import type { Answers, Instrument } from "../../shared/instrument/schema.js";
import { codedQuestionIds } from "../../shared/scoring/counts.js";
import type { Kysely } from "kysely";
import type { AnswerTable, Database, ResponseTable } from "../db/types.js";
import type { AppContext } from "../app-context.js";
import { zodFieldErrors } from "../http/body.js";
import { Problem } from "../http/problem.js";
import { contentHash } from "../lib/canonical.js";
import { receiptCode } from "../lib/secrets.js";
import { getEdition } from "../instruments/repository.js";
import { findRound, type Round } from "../rounds/repository.js";

export interface PreparedResponse {
  response: ResponseTable;
  answers: AnswerTable[];
  /** Coded answers as (question, code) pairs for the rollups. */
  coded: Array<[string, string]>;
  /** An invitation token to mark used in the same transaction (leader survey). */
  claim?: { token: string; day: string };
  /** Set when an identical response with this id is already stored: nothing to write, this is its receipt. */
  alreadyStored?: { receipt: string };
}

/**
 * Round lookups are frequent and cheap to cache briefly; status changes are seen within a second.
 * Each app keeps its own cache (on its context), so one database's rounds never answer for another's.
 * A round forgotten is forgotten by every app: `forgetRound` marks the id at a new epoch, and an
 * entry read before that epoch is no longer used.
 */
let epoch = 0;
const forgottenAt = new Map<string, number>();
export async function cachedRound(ctx: AppContext, id: string): Promise<Round | null> {
  // No round id holds a control character (and PostgreSQL could not even compare one): not found.
  if (controlCharacter(id) || hasLoneSurrogate(id)) return null;
  const cache = (ctx.roundCache ??= new Map());
  const hit = cache.get(id);
  if (hit && Date.now() - hit.at < 1000 && hit.epoch >= (forgottenAt.get(id) ?? 0)) return hit.round;
  const readAt = epoch;
  const round = await findRound(ctx.db.kysely, id);
  cache.set(id, { round, at: Date.now(), epoch: readAt });
  return round;
}

export function forgetRound(id: string): void {
  forgottenAt.set(id, ++epoch);
}

export interface PrepareOptions {
  /** The channel this endpoint accepts; a submission claiming another channel is refused. */
  allowedChannels: ReadonlyArray<Submission["channel"]>;
  /** Invitation responses keep no time finer than the day (anonymity). */
  blurTimes?: boolean;
  /** Anonymous (invitation) responses are stored at the unit the round publishes at (the province), not the instrument's level. */
  storedUnitLevel?: string;
  /**
   * The sending device's clock minus the server's, in ms, measured on this request (a sync batch
   * says its device's time). Applies only to responses recorded by that device.
   */
  deviceClock?: { deviceId: string | undefined; offsetMs: number };
}

export async function prepareSubmission(ctx: AppContext, roundId: string, body: unknown, options: PrepareOptions): Promise<PreparedResponse> {
  const parsed = SubmissionSchema.safeParse(body);
  if (!parsed.success) throw new Problem("invalid", zodFieldErrors(parsed.error));
  const submission = parsed.data;
  const blurTimes = options.blurTimes ?? false;

  const round = await cachedRound(ctx, roundId);
  if (!round) throw new Problem("round_not_found");
  // An identical resend gets its receipt whatever happened since (round closed, version changed):
  // the device whose acknowledgement was lost must be able to clear a response that is stored.
  const resent = await storedIdentical(ctx, round.id, storedForm(submission, blurTimes));
  if (resent) return resent;
  if (round.status !== "open") {
    throw new Problem(
      "round_not_open",
      undefined,
      { status: round.status },
      {
        vi: round.status === "closed" ? "Đợt khảo sát đã kết thúc, không nhận thêm phiếu." : "Đợt khảo sát chưa mở.",
        en: round.status === "closed" ? "The survey round is closed and accepts no more responses." : "The survey round is not open yet.",
      },
    );
  }
  if (submission.instrument.id !== round.editionId || submission.instrument.version !== round.editionVersion) {
    throw new Problem(
      "version_mismatch",
      undefined,
      { current: { id: round.editionId, version: round.editionVersion } },
      {
        vi: `Phiếu dùng ${submission.instrument.id} ${submission.instrument.version}; đợt này dùng ${round.editionId} ${round.editionVersion}. Hãy tải lại bộ câu hỏi.`,
        en: `The response uses ${submission.instrument.id} ${submission.instrument.version}; this round uses ${round.editionId} ${round.editionVersion}. Reload the questionnaire.`,
      },
    );
  }
  if (!options.allowedChannels.includes(submission.channel)) {
    throw new Problem("invalid", [fieldError("channel", "invalid_field")]);
  }
  const edition = await getEdition(ctx.db.kysely, round.editionId, round.editionVersion);
  if (!edition) throw new Problem("instrument_not_found");
  const instrument = edition.instrument;
  // A self-assessment is entered through /api/par (per question, reviewed), never as a survey response.
  if (instrument.kind === "assessment") throw new Problem("par_index_round", undefined, { round: round.id, evidence: `/api/par/${round.id}` });

  const errors: FieldError[] = [];
  errors.push(...(await checkUnit(ctx, round, options.storedUnitLevel ?? instrument.unitLevel, submission.unit)));
  if (!round.groups.includes(submission.group)) errors.push(fieldError("group", "group_not_allowed"));
  // The answers as sent, not zod's copy: a record drops a "__proto__" key, which must be refused as unknown.
  // Expressions may read the respondent's group and unit (${_group}, ${_unit}), as the form did.
  errors.push(...validateAnswers(instrument, (body as { answers: unknown }).answers, { respondent: { group: submission.group, unit: submission.unit } }));
  if (errors.length) throw new Problem("invalid", errors);

  return toRows(round, instrument, submission, blurTimes, options.deviceClock);
}

interface StoredRow {
  id: string;
  round_id: string;
  content_hash: string;
  receipt_code: string;
}

/**
 * Reads stored responses by id for the requests of one event-loop turn together: one query
 * instead of one per request (on PostgreSQL, one round trip instead of dozens).
 */
class StoredLookup {
  private waiting = new Map<string, Array<{ resolve(row: StoredRow | undefined): void; reject(error: unknown): void }>>();

  constructor(private readonly db: Kysely<Database>) {}

  get(id: string): Promise<StoredRow | undefined> {
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) setImmediate(() => void this.flush());
      const list = this.waiting.get(id);
      if (list) list.push({ resolve, reject });
      else this.waiting.set(id, [{ resolve, reject }]);
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    this.waiting = new Map();
    const ids = [...batch.keys()];
    try {
      const found = new Map<string, StoredRow>();
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await this.db
          .selectFrom("responses")
          .select(["id", "round_id", "content_hash", "receipt_code"])
          .where("id", "in", ids.slice(i, i + 500))
          .execute();
        for (const row of rows) found.set(row.id, row);
      }
      for (const [id, list] of batch) for (const w of list) w.resolve(found.get(id));
    } catch (error) {
      for (const list of batch.values()) for (const w of list) w.reject(error);
    }
  }
}

const lookups = new WeakMap<Kysely<Database>, StoredLookup>();

/** The stored response with this id in this round, when its content is the same as `s`'s. */
async function storedIdentical(ctx: AppContext, roundId: string, s: Submission): Promise<PreparedResponse | null> {
  const id = s.id.toLowerCase();
  let lookup = lookups.get(ctx.db.kysely);
  if (!lookup) lookups.set(ctx.db.kysely, (lookup = new StoredLookup(ctx.db.kysely)));
  const row = await lookup.get(id);
  if (!row || row.round_id !== roundId || row.content_hash !== contentHash({ ...s, id })) return null;
  // Nothing is written for it: the row carries only what is read before storing (id, round, unit, group).
  const response = { id, round_id: roundId, unit_key: s.unit, group_code: s.group } as ResponseTable;
  return { response, answers: [], coded: [], alreadyStored: { receipt: row.receipt_code } };
}

/** What is stored of a submission: anonymous (invitation) responses keep only the day, and no device. */
function storedForm(sent: Submission, blurTimes: boolean): Submission {
  if (!blurTimes) return sent;
  const day = (iso: string) => iso.slice(0, 10);
  const { deviceId: _d, enumeratorId: _e, ...rest } = sent;
  return {
    ...rest,
    ...(sent.startedAt ? { startedAt: day(sent.startedAt) } : {}),
    ...(sent.submittedAt ? { submittedAt: day(sent.submittedAt) } : {}),
  };
}

async function checkUnit(ctx: AppContext, round: Round, level: string, key: string): Promise<FieldError[]> {
  const unit = await ctx.units.get(key);
  if (!unit) return [fieldError("unit", "unit_not_found" as const, { vi: "Không tìm thấy đơn vị hành chính này.", en: "This unit does not exist." })];
  if (unit.registry !== round.registry || unit.level !== level) {
    return [
      fieldError("unit", "unit_not_in_scope", {
        vi: `Đơn vị phải là cấp "${level}" trong danh mục ${round.registry}.`,
        en: `The unit must be a ${level} of registry ${round.registry}.`,
      }),
    ];
  }
  if (round.scope.length > 0 && !round.scope.some((s) => ctx.units.isWithin(key, s))) {
    return [fieldError("unit", "unit_not_in_scope")];
  }
  return [];
}

const EARLIEST = Date.parse("2000-01-01T00:00:00Z");
/** Beyond this, a device's times are flagged for review (never refused): a minute or two is normal drift. */
const PLAUSIBLE_DRIFT_MS = 10 * 60 * 1000;

/**
 * Why a response's device times need a look, or null. A device's clock must never block an
 * interview (docs/decisions/0009-device-clocks.md): the times are kept as reported, and the
 * review flag tells an analyst which ones not to trust.
 */
export function timeReview(s: Pick<Submission, "startedAt" | "submittedAt">, receivedMs: number, offsetMs: number | null): string | null {
  const reasons = new Set<string>();
  for (const value of [s.startedAt, s.submittedAt]) {
    if (!value) continue;
    const t = Date.parse(value);
    if (t < EARLIEST) reasons.add("before_2000");
    if (t > receivedMs + PLAUSIBLE_DRIFT_MS) reasons.add("future");
  }
  if (s.startedAt && s.submittedAt && Date.parse(s.startedAt) > Date.parse(s.submittedAt)) reasons.add("start_after_submit");
  if (offsetMs !== null && Math.abs(offsetMs) > PLAUSIBLE_DRIFT_MS) reasons.add("device_clock");
  return reasons.size ? [...reasons].join(" ") : null;
}

function toRows(round: Round, instrument: Instrument, sent: Submission, blurTimes: boolean, clock: PrepareOptions["deviceClock"]): PreparedResponse {
  const day = (iso: string | undefined) => (iso ? iso.slice(0, 10) : null);
  // Anonymous responses keep only the day, in the columns and in the stored payload alike.
  const s = storedForm(sent, blurTimes);
  const received = new Date();
  const receivedOn = received.toISOString().slice(0, 10);
  // The batch's clock reading describes the device that sent it, not one whose file it passes on.
  const offsetMs = clock && !blurTimes && (s.deviceId === undefined || s.deviceId === clock.deviceId) ? clock.offsetMs : null;
  const response: ResponseTable = {
    id: s.id.toLowerCase(),
    round_id: round.id,
    edition_id: round.editionId,
    edition_version: round.editionVersion,
    unit_key: s.unit,
    group_code: s.group,
    channel: s.channel,
    device_id: blurTimes ? null : (s.deviceId ?? null),
    enumerator_id: blurTimes ? null : (s.enumeratorId ?? null),
    started_at: blurTimes ? day(s.startedAt) : (s.startedAt ?? null),
    submitted_at: blurTimes ? day(s.submittedAt) : (s.submittedAt ?? null),
    received_on: receivedOn,
    received_at: blurTimes ? null : received.toISOString(),
    clock_offset_s: offsetMs === null ? null : Math.round(offsetMs / 1000),
    time_review: blurTimes ? null : timeReview(s, received.getTime(), offsetMs),
    status: "stored",
    weight: s.weight ?? null,
    payload_json: JSON.stringify(s),
    // The hash covers what the client sent, so an identical resend is recognised as such.
    content_hash: contentHash({ ...s, id: s.id.toLowerCase() }),
    receipt_code: receiptCode(),
  };
  return withRowsOnDemand(response, instrument, s.answers);
}

/**
 * A prepared response whose answer rows and rollup pairs are built when first read. On SQLite the
 * writer thread builds them from the stored payload, so this thread never does; PostgreSQL and the
 * in-thread writer read them here.
 */
function withRowsOnDemand(response: ResponseTable, instrument: Instrument, answers: Answers): PreparedResponse {
  let rows: Pick<PreparedResponse, "answers" | "coded"> | undefined;
  const built = () => (rows ??= rowsOf(instrument, response.id, answers));
  return {
    response,
    get answers() {
      return built().answers;
    },
    get coded() {
      return built().coded;
    },
  };
}

const codedCache = new WeakMap<Instrument, Set<string>>();

/**
 * One pass over the answers: one narrow row per answer (one per selected code for multiple
 * choice), typed by the question's kind, and the (question, code) pairs the rollups count. Rows
 * are built as literals of one shape (no spread of a template object): this runs once per answer.
 */
export function rowsOf(instrument: Instrument, responseId: string, answers: Answers): Pick<PreparedResponse, "answers" | "coded"> {
  const questions = questionById(instrument);
  let coded = codedCache.get(instrument);
  if (!coded) codedCache.set(instrument, (coded = codedQuestionIds(instrument)));
  const rows: AnswerTable[] = [];
  const pairs: Array<[string, string]> = [];
  for (const [questionId, value] of Object.entries(answers)) {
    const q = questions.get(questionId);
    const counted = coded.has(questionId);
    if (Array.isArray(value)) {
      for (let seq = 0; seq < value.length; seq++) {
        const code = value[seq]!;
        if (q) rows.push({ response_id: responseId, question_id: questionId, seq, code, num: null, text: null });
        if (counted) pairs.push([questionId, code]);
      }
      continue;
    }
    if (counted && typeof value === "string" && value !== "") pairs.push([questionId, value]);
    if (!q) continue;
    if (q.type === "rating" || q.type === "single")
      rows.push({ response_id: responseId, question_id: questionId, seq: 0, code: String(value), num: null, text: null });
    else if (q.type === "integer" || q.type === "decimal")
      rows.push({ response_id: responseId, question_id: questionId, seq: 0, code: null, num: Number(value), text: null });
    else rows.push({ response_id: responseId, question_id: questionId, seq: 0, code: null, num: null, text: String(value) });
  }
  return { answers: rows, coded: pairs };
}
