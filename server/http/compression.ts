/**
 * Compresses text responses for the network: brotli or gzip, as the caller's Accept-Encoding
 * allows (brotli preferred), streamed so a long CSV export is never held in memory. Already
 * encoded bodies (the build's precompressed assets), small bodies, binary types (XLSX is a zip),
 * 204/206/304 and `no-transform` pass through untouched. A compressed body is another
 * representation of the same resource, so a strong ETag becomes weak (RFC 9110 §8.8.1).
 *
 * A body that names its version with a strong ETag (a form definition, a page) is the same for
 * every caller until it changes: it is compressed once at the best ratio (brotli 11, gzip 9, in
 * the thread pool) and kept, so the phone gets the smallest form and the server does no work per
 * request. Everything else is compressed as it streams, at a quality that costs little CPU.
 */
import { pipeline, Readable } from "node:stream";
import { promisify } from "node:util";
import zlib from "node:zlib";
import type { MiddlewareHandler } from "hono";

/** Below this many bytes compressing per request costs more CPU than the bytes it saves. */
const MIN_BYTES = 1024;
/** A versioned body is compressed once, so even a small page is worth it. */
const MIN_KEPT_BYTES = 256;
const COMPRESSIBLE = /^(text\/|application\/(json|problem\+json|x-ndjson|javascript|xml|manifest\+json)|image\/svg\+xml)/i;

export type Encoding = "br" | "gzip";

/** Versioned bodies larger than this are streamed like any other. */
const MAX_KEPT_BYTES = 512 * 1024;
const MAX_KEPT_ENTRIES = 128;
const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
/** path + ETag + encoding → the compressed body; insertion order makes it a small LRU. */
const kept = new Map<string, Promise<Buffer>>();

function bestCompressed(key: string, body: Uint8Array, encoding: Encoding): Promise<Buffer> {
  const hit = kept.get(key);
  if (hit) {
    kept.delete(key);
    kept.set(key, hit);
    return hit;
  }
  const made =
    encoding === "br"
      ? brotli(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } })
      : gzip(body, { level: 9 });
  kept.set(key, made);
  made.catch(() => kept.delete(key));
  if (kept.size > MAX_KEPT_ENTRIES) kept.delete(kept.keys().next().value!);
  return made;
}

/** The encoding to use for an Accept-Encoding header, or null for identity. */
export function negotiateEncoding(acceptEncoding: string | undefined): Encoding | null {
  if (!acceptEncoding) return null;
  const quality = new Map<string, number>();
  for (const part of acceptEncoding.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const value = q ? Number(q.slice(2)) : 1;
    quality.set(name, Number.isFinite(value) ? value : 0);
  }
  const accepts = (name: Encoding) => (quality.get(name) ?? quality.get("*") ?? 0) > 0;
  if (accepts("br")) return "br";
  if (accepts("gzip")) return "gzip";
  return null;
}

function compressor(encoding: Encoding, sizeHint: number): zlib.BrotliCompress | zlib.Gzip {
  if (encoding === "gzip") return zlib.createGzip({ level: 6 });
  // Quality 5 compresses JSON and CSV close to gzip -9 in a fraction of brotli 11's time.
  return zlib.createBrotliCompress({
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 5,
      [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
      ...(sizeHint > 0 ? { [zlib.constants.BROTLI_PARAM_SIZE_HINT]: sizeHint } : {}),
    },
  });
}

export function compression(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const res = c.res;
    if (!res.body || res.status < 200 || res.status === 204 || res.status === 206 || res.status === 304) return;
    if (res.headers.has("content-encoding")) return;
    if (!COMPRESSIBLE.test(res.headers.get("content-type") ?? "")) return;
    if (/\bno-transform\b/i.test(res.headers.get("cache-control") ?? "")) return;
    const declared = res.headers.get("content-length");
    const length = declared === null ? -1 : Number(declared);
    const etag = res.headers.get("etag");
    const versioned = etag !== null && !etag.startsWith("W/");
    if (length >= 0 && length < (versioned ? MIN_KEPT_BYTES : MIN_BYTES)) return;
    const encoding = negotiateEncoding(c.req.header("accept-encoding"));
    c.header("vary", "Accept-Encoding", { append: true });
    if (!encoding) return;
    if (versioned && (length < 0 || length <= MAX_KEPT_BYTES)) {
      const body = new Uint8Array(await res.arrayBuffer());
      if (body.length < MIN_KEPT_BYTES) {
        c.res = new Response(body, res);
        return;
      }
      const compressed =
        body.length <= MAX_KEPT_BYTES
          ? await bestCompressed(`${c.req.path}\n${etag}\n${encoding}`, body, encoding)
          : await (encoding === "br" ? brotli(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } }) : gzip(body));
      c.res = new Response(compressed as Uint8Array<ArrayBuffer>, res);
      c.res.headers.set("content-encoding", encoding);
      c.res.headers.set("content-length", String(compressed.length));
      c.res.headers.set("etag", `W/${etag}`);
      return;
    }
    // The length of a generated body is often not declared: read up to MIN_BYTES of it first, and
    // send a body that ends sooner as it is.
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const head: Uint8Array[] = [];
    let headBytes = 0;
    let ended = false;
    while (headBytes < MIN_BYTES) {
      const chunk = await reader.read();
      if (chunk.done) {
        ended = true;
        break;
      }
      head.push(chunk.value);
      headBytes += chunk.value.length;
    }
    if (ended) {
      c.res = new Response(Buffer.concat(head) as Uint8Array<ArrayBuffer>, res);
      return;
    }
    const source = Readable.from(
      (async function* () {
        yield* head;
        try {
          for (;;) {
            const chunk = await reader.read();
            if (chunk.done) return;
            yield chunk.value;
          }
        } finally {
          reader.releaseLock();
        }
      })(),
    );
    const compressed = compressor(encoding, length);
    // pipeline destroys both sides on an error or a cancelled download, so neither end hangs.
    pipeline(source, compressed, (error) => {
      if (error) void res.body?.cancel(error).catch(() => undefined);
    });
    c.res = new Response(Readable.toWeb(compressed) as ReadableStream<Uint8Array>, res);
    c.res.headers.delete("content-length");
    c.res.headers.set("content-encoding", encoding);
    if (etag && !etag.startsWith("W/")) c.res.headers.set("etag", `W/${etag}`);
  };
}
