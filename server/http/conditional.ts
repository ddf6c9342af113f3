/**
 * Conditional GET: a resource that names its version in an ETag answers a revisit with 304 and
 * no body. Comparison is weak (RFC 9110 §13.1.2): a compressed response carries W/"…", and the
 * browser sends back whichever it was given.
 */
import type { Context } from "hono";

const opaque = (tag: string) => tag.trim().replace(/^W\//, "");

/** Sets the ETag (re-checked on every use) and tells whether the caller already has this version. */
export function notModified(c: Context, etag: string): boolean {
  c.header("etag", etag);
  c.header("cache-control", "no-cache");
  const header = c.req.header("if-none-match");
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => opaque(tag) === opaque(etag));
}
