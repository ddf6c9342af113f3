/** Reads a JSON request body with the checks every write endpoint shares: content type, size, syntax. */
import type { Context } from "hono";
import type { z } from "zod";
import { Problem } from "./problem.js";
import { fieldError, type FieldError } from "../../shared/errors.js";

/** 1 MiB: a SIPAS response is ~3 KB, a full sync batch of 500 responses fits in ~1.5 MB. */
export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_SYNC_BODY_BYTES = 8 * 1024 * 1024;

export async function readJson(c: Context, limit = MAX_BODY_BYTES): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) throw new Problem("unsupported_media_type");
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > limit) throw new Problem("payload_too_large", undefined, { limitBytes: limit });
  const buffer = await c.req.arrayBuffer();
  if (buffer.byteLength > limit) throw new Problem("payload_too_large", undefined, { limitBytes: limit });
  const textBody = new TextDecoder("utf-8", { fatal: false }).decode(buffer);
  try {
    return JSON.parse(textBody) as unknown;
  } catch (e) {
    throw new Problem("malformed_json", undefined, { reason: (e as Error).message });
  }
}

/** zod issues → field errors with a dotted path, in both languages. */
export function zodFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join(".") || "(body)";
    const base = fieldError(path, "invalid_field");
    return { ...base, message_vi: `${base.message_vi} (${path}: ${issue.message})`, message_en: `${base.message_en} (${path}: ${issue.message})` };
  });
}

export function parseWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Problem("invalid", zodFieldErrors(parsed.error));
  return parsed.data;
}
