/**
 * Reads a request body with the checks every write endpoint shares: content type, size (counted
 * while reading, so an oversized chunked body is never held whole), UTF-8, JSON syntax, and the
 * string rules of docs/security.md ("Input rules").
 */
import type { Context } from "hono";
import type { z } from "zod";
import { Problem } from "./problem.js";
import { fieldError, type FieldError } from "../../shared/errors.js";
import { controlCharacter, hasLoneSurrogate } from "../../shared/api/strings.js";

/** 1 MiB: a SIPAS response is ~3 KB, a full sync batch of 500 responses fits in ~1.5 MB. */
export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_SYNC_BODY_BYTES = 8 * 1024 * 1024;

function tooLarge(c: Context, limit: number): Problem {
  // The rest of the body is left unread: closing the connection after the answer ends the upload.
  c.header("connection", "close");
  return new Problem("payload_too_large", undefined, { limitBytes: limit });
}

/** The raw body, refused with 413 as soon as more than `limit` bytes have arrived. */
export async function readBytes(c: Context, limit: number): Promise<Uint8Array> {
  const declared = c.req.header("content-length");
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(c, limit);
  const stream = c.req.raw.body;
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) throw tooLarge(c, limit);
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

/** The body as UTF-8 text; bytes that are not UTF-8 are refused, never replaced by U+FFFD. */
export async function readText(c: Context, limit = MAX_BODY_BYTES): Promise<string> {
  const bytes = await readBytes(c, limit);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new Problem(
      "malformed_json",
      undefined,
      { reason: "not UTF-8" },
      {
        vi: "Dữ liệu gửi lên không phải văn bản UTF-8 hợp lệ.",
        en: "The request body is not valid UTF-8 text.",
      },
    );
  }
}

export interface ReadJsonOptions {
  limit?: number;
  /**
   * Refuse control characters anywhere in the body (default). Endpoints whose schema applies the
   * rule per field turn this off so that one bad item of a batch does not refuse the others.
   */
  refuseControlCharacters?: boolean;
}

export async function readJson(c: Context, options: number | ReadJsonOptions = {}): Promise<unknown> {
  const { limit = MAX_BODY_BYTES, refuseControlCharacters = true } = typeof options === "number" ? { limit: options } : options;
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) throw new Problem("unsupported_media_type");
  const text = await readText(c, limit);
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (e) {
    throw new Problem("malformed_json", undefined, { reason: (e as Error).message.slice(0, 200) });
  }
  checkStrings(value, refuseControlCharacters);
  return value;
}

/**
 * Walks every key and string of a parsed body. A lone surrogate ("\ud800") is not Unicode text:
 * the body is malformed (400). A control character is a field mistake (422, naming the field).
 */
function checkStrings(root: unknown, refuseControl: boolean): void {
  // Paths are built only for an error: in a deeply nested body, building each one would be quadratic.
  interface Node {
    value: unknown;
    key: string;
    parent: Node | null;
  }
  const pathOf = (node: Node | null, key?: string): string => {
    const parts = key === undefined ? [] : [key];
    for (let n = node; n && n.parent; n = n.parent) parts.push(n.key);
    return parts.reverse().join(".").slice(0, 400) || "(body)";
  };
  const control: FieldError[] = [];
  const check = (s: string, node: Node, key?: string) => {
    if (hasLoneSurrogate(s)) {
      throw new Problem(
        "malformed_json",
        undefined,
        { field: pathOf(node, key) },
        {
          vi: "Dữ liệu gửi lên có ký tự Unicode không hợp lệ (nửa cặp thay thế UTF-16).",
          en: "The request body holds an invalid Unicode character (a lone UTF-16 surrogate).",
        },
      );
    }
    const c = refuseControl ? controlCharacter(s) : null;
    if (c) control.push(controlCharacterError(pathOf(node, key), c));
  };
  const stack: Node[] = [{ value: root, key: "", parent: null }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const value = node.value;
    if (typeof value === "string") check(value, node);
    else if (Array.isArray(value)) value.forEach((v, i) => stack.push({ value: v, key: String(i), parent: node }));
    else if (value && typeof value === "object") {
      for (const [key, v] of Object.entries(value)) {
        check(key, node, key);
        stack.push({ value: v, key, parent: node });
      }
    }
  }
  if (control.length) throw new Problem("invalid", control);
}

export function controlCharacterError(field: string, character: string): FieldError {
  return fieldError(field, "invalid_field", {
    vi: `Không được chứa ký tự điều khiển (${character}); chỉ cho phép tab và xuống dòng.`,
    en: `Must not contain a control character (${character}); only tab and line breaks are allowed.`,
  });
}

const MAX_MESSAGE = 200;

/** zod issues → field errors with a dotted path, in both languages; one per unrecognised key. */
export function zodFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    const at = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => {
        const path = at ? `${at}.${key}` : key;
        const base = fieldError(path, "invalid_field");
        return { ...base, message_vi: `${base.message_vi} (trường không được nhận)`, message_en: `${base.message_en} (unknown field)` };
      });
    }
    const path = at || "(body)";
    const base = fieldError(path, "invalid_field");
    const why = `${path.slice(0, MAX_MESSAGE)}: ${issue.message.slice(0, MAX_MESSAGE)}`;
    return [{ ...base, message_vi: `${base.message_vi} (${why})`, message_en: `${base.message_en} (${why})` }];
  });
}

export function parseWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Problem("invalid", zodFieldErrors(parsed.error));
  return parsed.data;
}
