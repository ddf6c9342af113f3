/**
 * Reading an OpenRosa submission (the instance XML ODK Collect or Web Forms sends) into chiso's
 * submission shape, so that it then goes through exactly the native checks and store
 * (server/responses/prepare.ts, store.ts). Nothing is judged here beyond what the XML itself
 * says: the form and its version, the instance id, and which element holds which answer.
 */
import type { Instrument, AnswerValue } from "../../shared/instrument/schema.js";
import { questionById } from "../../shared/instrument/walk.js";
import { child, parseXml, XmlError, type XmlElement } from "./xml.js";
import { INTERVIEW_GROUP, submissionLayout } from "./xform.js";

export class SubmissionXmlError extends Error {
  constructor(readonly text: { vi: string; en: string }) {
    super(text.en);
  }
}

/** What the root element says before the instrument is known. */
export interface SubmissionHeader {
  formId: string;
  version: string;
  root: XmlElement;
}

export function readHeader(xml: string): SubmissionHeader {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (error) {
    const why = error instanceof XmlError ? error.message : "unreadable";
    throw new SubmissionXmlError({ vi: `Tệp xml_submission_file không phải XML hợp lệ (${why}).`, en: `xml_submission_file is not well-formed XML (${why}).` });
  }
  const formId = root.attributes.id;
  if (!formId)
    throw new SubmissionXmlError({
      vi: "Phiếu không ghi mã biểu mẫu (thuộc tính id của phần tử gốc).",
      en: "The submission names no form (the root element's id attribute).",
    });
  return { formId, version: root.attributes.version ?? "", root };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The element at `path` below `root`, if every step exists. */
function at(root: XmlElement, path: readonly string[]): XmlElement | undefined {
  let el: XmlElement | undefined = root;
  for (const name of path) el = el && child(el, name);
  return el;
}

/**
 * An ODK time (e.g. 2026-11-01T08:00:00.000+07:00) as chiso's ISO instant; absent or unreadable
 * times are left out (they are metadata, not answers).
 */
function instant(text: string | undefined): string | undefined {
  const t = text?.trim();
  if (!t) return undefined;
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/**
 * The submission as chiso's native endpoints receive it. Values are converted by the question's
 * type only where the text is unambiguous (a whole number for an integer question); anything else
 * is passed on as sent, so that the shared answer validation names the question and the reason.
 */
export function toSubmission(
  header: SubmissionHeader,
  instrument: Instrument,
  collector: { username: string; deviceId?: string | undefined },
): Record<string, unknown> {
  const { root } = header;
  const meta = child(root, "meta");
  if (meta && child(meta, "deprecatedID")?.text.trim()) {
    throw new SubmissionXmlError({
      vi: "Không sửa được phiếu đã gửi: chiso giữ nguyên mỗi phiếu đã nhận. Hãy tạo phiếu mới nếu cần.",
      en: "A sent form cannot be edited: chiso keeps every received response as it was. Fill in a new form if needed.",
    });
  }
  const rawId = meta && child(meta, "instanceID")?.text.trim();
  const id = rawId?.replace(/^uuid:/i, "");
  if (!id || !UUID.test(id)) {
    throw new SubmissionXmlError({
      vi: "Phiếu thiếu mã phiếu (meta/instanceID dạng uuid:…).",
      en: "The submission has no instance id (meta/instanceID as uuid:…).",
    });
  }
  const interview = child(root, INTERVIEW_GROUP);
  const unit = interview && child(interview, "unit")?.text.trim();
  const group = interview && child(interview, "group")?.text.trim();

  const questions = questionById(instrument);
  const answers: Record<string, AnswerValue> = {};
  for (const [questionId, path] of submissionLayout(instrument).questions) {
    const el = at(root, path);
    if (!el) continue; // not relevant: ODK leaves it out
    const text = el.text;
    if (text.trim() === "") continue; // relevant but unanswered
    const q = questions.get(questionId);
    if (!q) continue;
    answers[questionId] = answerValue(q.type, text);
  }

  const startedAt = instant(meta && child(meta, "timeStart")?.text);
  const submittedAt = instant(meta && child(meta, "timeEnd")?.text);
  const deviceId = (collector.deviceId ?? (meta && child(meta, "deviceID")?.text.trim()) ?? "").slice(0, 100);
  return {
    id: id.toLowerCase(),
    instrument: { id: instrument.id, version: header.version },
    unit: unit ?? "",
    group: group ?? "",
    channel: "enumerator",
    ...(deviceId ? { deviceId } : {}),
    enumeratorId: collector.username,
    ...(startedAt ? { startedAt } : {}),
    ...(submittedAt ? { submittedAt } : {}),
    answers,
  };
}

function answerValue(type: string, text: string): AnswerValue {
  switch (type) {
    case "multiple":
      return text.split(/\s+/).filter((s) => s !== "");
    case "integer":
      return /^\s*-?\d+\s*$/.test(text) ? Number(text) : text;
    case "decimal":
      return /^\s*-?(\d+(\.\d*)?|\.\d+)\s*$/.test(text) ? Number(text) : text;
    case "rating":
    case "single":
    case "date":
      return text.trim();
    default:
      // Text answers are kept as written.
      return text;
  }
}
