/**
 * The OpenRosa 1.0 server ODK Collect (and KoboCollect, ODK Web Forms) talks to, at `<base>/openrosa`:
 *
 *   GET  /openrosa/formList                 the forms of the rounds the enumerator collects in
 *   GET  /openrosa/forms/:round/form.xml    a round's XForm (xform.ts)
 *   GET  /openrosa/forms/:round/manifest    its attachments: the units CSV
 *   GET  /openrosa/forms/:round/units.csv   the units the enumerator may choose, with their parents
 *   HEAD /openrosa/submission               pre-flight: 204 with the OpenRosa headers
 *   POST /openrosa/submission               multipart/form-data, the instance in xml_submission_file
 *
 * Callers authenticate with HTTP Basic as an enumerator (or administrator) account: the account's
 * password, under the sign-in throttle, or a device token made for the phone (revocable in
 * /admin, like an enumerator app's). Rounds and units are limited exactly as for /collect, and a
 * submission is stored through the native path (prepareSubmission, checkCollectorScope, the
 * group-commit store), so validation, idempotency, rollups and anonymity are the same. Every
 * refusal is an OpenRosa message in Vietnamese and English, which ODK Collect shows as it is.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppContext, AppEnv } from "../app-context.js";
import { Problem } from "../http/problem.js";
import { problemFromDatabaseError } from "../db/errors.js";
import { canSeeRound } from "../http/access.js";
import { checkPassword } from "../accounts/service.js";
import { findUserByName, resumeDevice, toUser, type User } from "../accounts/repository.js";
import { cachedRound, prepareSubmission } from "../responses/prepare.js";
import { checkCollectorScope } from "../responses/service.js";
import { listRounds, type Round } from "../rounds/repository.js";
import { getEdition } from "../instruments/repository.js";
import type { Instrument } from "../../shared/instrument/schema.js";
import { buildXForm, UNITS_FILE } from "./xform.js";
import { escapeXml } from "./xml.js";
import { readHeader, SubmissionXmlError, toSubmission } from "./submission.js";
import { unitChoices, unitsCsv } from "./units.js";
import { openRosaBase } from "./settings.js";

/** The largest submission accepted (instance XML and whatever else the multipart body holds). */
export const MAX_SUBMISSION_BYTES = 10 * 1024 * 1024;

interface Collector {
  user: User;
  /** The device token's id when the phone authenticated with one. */
  deviceId?: string;
}
const collectors = new WeakMap<Request, Collector>();
const collectorOf = (c: Context<AppEnv>) => collectors.get(c.req.raw)!;

// ---------------------------------------------------------------- responses

const XML_TYPE = "text/xml; charset=utf-8";

function openRosaHeaders(c: Context<AppEnv>): void {
  c.header("X-OpenRosa-Version", "1.0");
  c.header("X-OpenRosa-Accept-Content-Length", String(MAX_SUBMISSION_BYTES));
  c.header("Date", new Date().toUTCString());
}

function message(c: Context<AppEnv>, status: number, nature: string, text: string, extra = ""): Response {
  openRosaHeaders(c);
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<OpenRosaResponse xmlns="http://openrosa.org/http/response">` +
    `<message nature="${nature}">${escapeXml(text)}</message>${extra}</OpenRosaResponse>\n`;
  return c.body(body, status as 400, { "content-type": XML_TYPE });
}

/** A problem as one message in both languages, with the fields it names (ODK Collect shows the text). */
export function problemText(problem: Problem): string {
  const { error } = problem.body();
  const fields = error.errors ?? [];
  const list = (lang: "vi" | "en") =>
    fields
      .slice(0, 10)
      .map((f) => `\n• ${f.question}: ${lang === "vi" ? f.message_vi : f.message_en}`)
      .join("");
  return `${error.message_vi}${list("vi")}\n—\n${error.message_en}${list("en")}`;
}

function problemResponse(c: Context<AppEnv>, problem: Problem): Response {
  if (problem.status === 401) c.header("WWW-Authenticate", 'Basic realm="chiso", charset="UTF-8"');
  return message(c, problem.status, "error", problemText(problem));
}

// ---------------------------------------------------------------- authentication

function basicCredentials(header: string | undefined): { username: string; password: string } | null {
  const encoded = header?.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i)?.[1];
  if (!encoded) return null;
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * ODK Collect sends the password with every request (form list, each form, each attachment, each
 * submission). A verified password is remembered briefly by a hash of the credentials and the
 * account's stored password hash, so that a phone sending fifty forms does not cost fifty scrypt
 * runs; a changed password or a disabled account takes effect at once, since the account row is
 * read again on every request.
 */
const VERIFIED_MS = 5 * 60_000;
const MAX_VERIFIED = 1000;
/** Per database: one process may serve several, each with its own accounts. */
const verifiedByDatabase = new WeakMap<AppContext["db"], Map<string, { passwordHash: string; until: number }>>();
function verifiedOf(ctx: AppContext): Map<string, { passwordHash: string; until: number }> {
  let verified = verifiedByDatabase.get(ctx.db);
  if (!verified) verifiedByDatabase.set(ctx.db, (verified = new Map()));
  return verified;
}
/** Keys are HMACs under a secret of this process: a memory dump yields no fast hash of any password. */
const CACHE_SECRET = randomBytes(32);

async function rememberedUser(c: Context<AppEnv>, key: string, username: string): Promise<User | null> {
  const verified = verifiedOf(c.var.ctx);
  const hit = verified.get(key);
  if (!hit || hit.until < Date.now()) return null;
  const row = await findUserByName(c.var.ctx.db.kysely, username);
  if (!row || row.disabled === 1 || row.password_hash !== hit.passwordHash) {
    verified.delete(key);
    return null;
  }
  return toUser(row);
}

async function remember(c: Context<AppEnv>, key: string, user: User): Promise<void> {
  const row = await findUserByName(c.var.ctx.db.kysely, user.username);
  if (!row) return;
  const verified = verifiedOf(c.var.ctx);
  if (verified.size >= MAX_VERIFIED) verified.clear();
  verified.set(key, { passwordHash: row.password_hash, until: Date.now() + VERIFIED_MS });
}

/** HTTP Basic as an enumerator (or administrator): a device token made for this phone, else the account's password. */
export function basicAuth(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const credentials = basicCredentials(c.req.header("authorization"));
    if (!credentials || credentials.username.length > 100 || credentials.password.length > 500) {
      throw new Problem("enumerator_sign_in");
    }
    const db = c.var.ctx.db.kysely;
    let collector: Collector | null = null;
    // Device tokens are long random strings: looking one up needs no throttle, and a wrong one falls through to the throttled password check.
    if (credentials.password.length >= 32) {
      const device = await resumeDevice(db, credentials.password);
      if (device && device.user.username === credentials.username) collector = { user: device.user, deviceId: device.deviceId };
    }
    if (!collector) {
      const key = createHmac("sha256", CACHE_SECRET).update(`${credentials.username}\u0000${credentials.password}`).digest("base64");
      let user = await rememberedUser(c, key, credentials.username);
      if (!user) {
        user = await checkPassword(c, credentials.username, credentials.password);
        if (!user) throw new Problem("wrong_credentials");
        await remember(c, key, user);
      }
      collector = { user };
    }
    if (collector.user.role !== "enumerator" && collector.user.role !== "admin") {
      throw new Problem("enumerators_only");
    }
    if (collector.user.mustChangePassword) {
      throw new Problem("password_change_at_collect");
    }
    collectors.set(c.req.raw, collector);
    openRosaHeaders(c);
    return next();
  };
}

// ---------------------------------------------------------------- forms

interface Form {
  round: Round;
  instrument: Instrument;
  xml: string;
  hash: string;
}

const md5 = (text: string) => createHash("md5").update(text).digest("hex");
/** Built forms by database and round (one process may serve several databases). */
const formCaches = new WeakMap<AppContext["db"], Map<string, { key: string; form: Form }>>();

/** A round the collector may collect in now: open, for enumerators, assigned, a survey. */
async function collectableRound(ctx: AppContext, user: User, roundId: string): Promise<{ round: Round; instrument: Instrument } | null> {
  const round = await cachedRound(ctx, roundId);
  if (!round || round.status !== "open" || !round.modes.includes("enumerator") || !canSeeRound(user, round.id)) return null;
  const edition = await getEdition(ctx.db.kysely, round.editionId, round.editionVersion);
  if (!edition || edition.instrument.kind === "assessment") return null;
  return { round, instrument: edition.instrument };
}

/** The XForm of a round; the same for every enumerator (their units are in the CSV), built once per round definition. */
function formOf(ctx: AppContext, round: Round, instrument: Instrument): Form {
  const unitLevels = unitChoices(ctx.units, round, instrument, null).levels;
  const key = JSON.stringify([round.editionId, round.editionVersion, round.title, round.groups, unitLevels]);
  let formCache = formCaches.get(ctx.db);
  if (!formCache) formCaches.set(ctx.db, (formCache = new Map()));
  const hit = formCache.get(round.id);
  if (hit && hit.key === key) return hit.form;
  const groups = round.groups.map((code) => ({ code, label: instrument.respondentGroups.find((g) => g.code === code)?.label ?? { vi: code, en: code } }));
  const xml = buildXForm({ instrument, formId: round.id, version: round.editionVersion, title: round.title, groups, unitLevels });
  const form = { round, instrument, xml, hash: md5(xml) };
  formCache.set(round.id, { key, form });
  return form;
}

async function requireForm(c: Context<AppEnv>): Promise<Form> {
  const ctx = c.var.ctx;
  const found = await collectableRound(ctx, collectorOf(c).user, c.req.param("id") ?? "");
  if (!found) throw new Problem("form_not_collectable", undefined, { round: c.req.param("id") ?? "" });
  return formOf(ctx, found.round, found.instrument);
}

// ---------------------------------------------------------------- routes

/** Every refusal of the OpenRosa routes as an OpenRosa message, which ODK Collect shows as it is. */
export function openRosaError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof Problem) return problemResponse(c, err);
  const translated = problemFromDatabaseError(err);
  if (translated) return problemResponse(c, translated);
  console.error(err);
  return problemResponse(c, new Problem("internal"));
}

// Also bounds a chunked upload, which has no Content-Length to check up front.
export const submissionLimit = bodyLimit({
  maxSize: MAX_SUBMISSION_BYTES,
  onError: () => {
    throw new Problem("submission_too_large", undefined, { limitMb: MAX_SUBMISSION_BYTES / 1024 / 1024 });
  },
});

export const openRosaHandlers = {
  formList: async (c: Context<AppEnv>) => {
    const ctx = c.var.ctx;
    const { user } = collectorOf(c);
    const base = openRosaBase(c);
    const only = c.req.query("formID");
    const entries: string[] = [];
    for (const listed of await listRounds(ctx.db.kysely)) {
      if (only && listed.id !== only) continue;
      const found = await collectableRound(ctx, user, listed.id);
      if (!found) continue;
      const form = formOf(ctx, found.round, found.instrument);
      const url = `${base}/forms/${encodeURIComponent(found.round.id)}`;
      entries.push(
        `<xform><formID>${escapeXml(found.round.id)}</formID><name>${escapeXml(found.round.title.vi)}</name>` +
          `<version>${escapeXml(found.round.editionVersion)}</version><hash>md5:${form.hash}</hash>` +
          `<descriptionText>${escapeXml(found.round.title.en)}</descriptionText>` +
          `<downloadUrl>${escapeXml(`${url}/form.xml`)}</downloadUrl><manifestUrl>${escapeXml(`${url}/manifest`)}</manifestUrl></xform>`,
      );
    }
    c.header("cache-control", "private, no-cache");
    return c.body(`<?xml version="1.0" encoding="UTF-8"?>\n<xforms xmlns="http://openrosa.org/xforms/xformsList">${entries.join("")}</xforms>\n`, 200, {
      "content-type": XML_TYPE,
    });
  },

  form: async (c: Context<AppEnv, "/:id">) => {
    const form = await requireForm(c);
    c.header("cache-control", "private, no-cache");
    return c.body(form.xml, 200, { "content-type": XML_TYPE });
  },

  manifest: async (c: Context<AppEnv, "/:id">) => {
    const form = await requireForm(c);
    const csv = unitsCsv(c.var.ctx.units, form.round, form.instrument, collectorOf(c).user);
    const url = `${openRosaBase(c)}/forms/${encodeURIComponent(form.round.id)}/${UNITS_FILE}`;
    c.header("cache-control", "private, no-cache");
    return c.body(
      `<?xml version="1.0" encoding="UTF-8"?>\n<manifest xmlns="http://openrosa.org/xforms/xformsManifest">` +
        `<mediaFile><filename>${UNITS_FILE}</filename><hash>md5:${md5(csv)}</hash><downloadUrl>${escapeXml(url)}</downloadUrl></mediaFile></manifest>\n`,
      200,
      { "content-type": XML_TYPE },
    );
  },

  unitsFile: async (c: Context<AppEnv, "/:id">) => {
    const form = await requireForm(c);
    c.header("cache-control", "private, no-cache");
    return c.body(unitsCsv(c.var.ctx.units, form.round, form.instrument, collectorOf(c).user), 200, { "content-type": "text/csv; charset=utf-8" });
  },

  // HEAD is answered by this GET handler (without a body): ODK Collect's pre-flight before it posts.
  preflight: (c: Context<AppEnv>) => c.body(null, 204),

  submission: async (c: Context<AppEnv>) => {
    const ctx = c.var.ctx;
    const collector = collectorOf(c);
    const xml = await submissionFile(c);
    let header;
    let submission;
    let round: Round | null;
    try {
      header = readHeader(xml);
      round = await cachedRound(ctx, header.formId);
      if (!round || !round.modes.includes("enumerator") || !canSeeRound(collector.user, round.id)) {
        throw new Problem("form_not_collectable", undefined, { round: header.formId });
      }
      const edition = await getEdition(ctx.db.kysely, round.editionId, round.editionVersion);
      if (!edition) throw new Problem("instrument_not_found");
      const deviceId = collector.deviceId ?? c.req.query("deviceID");
      submission = toSubmission(header, edition.instrument, { username: collector.user.username, deviceId });
    } catch (error) {
      if (error instanceof SubmissionXmlError) throw new Problem("invalid", undefined, undefined, error.text);
      throw error;
    }
    const prepared = await prepareSubmission(ctx, round.id, submission, { allowedChannels: ["enumerator"] });
    if (!prepared.alreadyStored) checkCollectorScope(ctx, collector.user, prepared);
    const outcome = await ctx.store.store(prepared);
    if (outcome.status === "conflict" || outcome.status === "token_used") {
      throw new Problem("instance_id_conflict");
    }
    const stored = outcome.status === "stored";
    const text = stored
      ? `Đã nhận phiếu. Mã biên nhận: ${outcome.receipt}\nResponse received. Receipt: ${outcome.receipt}`
      : `Phiếu này đã được nhận trước đó. Mã biên nhận: ${outcome.receipt}\nThis response was received before. Receipt: ${outcome.receipt}`;
    const meta = `<submissionMetadata xmlns="http://www.opendatakit.org/xforms" id="${escapeXml(round.id)}" instanceID="uuid:${outcome.id}" receipt="${escapeXml(outcome.receipt)}"/>`;
    return message(c, stored ? 201 : 202, "submit_success", text, meta);
  },
};

/** The instance XML of a multipart submission; a missing part, a wrong type or an oversized body is refused. */
async function submissionFile(c: Context<AppEnv>): Promise<string> {
  const length = Number(c.req.header("content-length") ?? "0");
  if (length > MAX_SUBMISSION_BYTES) {
    throw new Problem("submission_too_large", undefined, { limitMb: MAX_SUBMISSION_BYTES / 1024 / 1024 });
  }
  if (!/^multipart\/form-data/i.test(c.req.header("content-type") ?? "")) {
    throw new Problem("submission_not_multipart");
  }
  let form: FormData;
  try {
    form = await c.req.raw.clone().formData();
  } catch {
    throw new Problem("submission_unreadable");
  }
  const file = form.get("xml_submission_file");
  if (!file || typeof file === "string") {
    throw new Problem("submission_file_missing");
  }
  if (file.size > MAX_SUBMISSION_BYTES) throw new Problem("submission_too_large", undefined, { limitMb: MAX_SUBMISSION_BYTES / 1024 / 1024 });
  const bytes = new Uint8Array(await file.arrayBuffer());
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new Problem("submission_not_utf8");
  }
}
