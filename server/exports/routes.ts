/**
 * GET /api/rounds/:id/export/:layout?format=csv|xlsx|json|ndjson&labels=vi|en&sep=semicolon&decimal=comma
 * (layout=data also takes format=sps|do|r: label syntax files for its CSV; layout=results the results
 * parameters and by=, giving report appendices; parameters are checked in server/exports/parameters.ts)
 * — streamed to the client as it is read from the database, with backpressure.
 */
import { PassThrough, Readable } from "node:stream";
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-context.js";
import { currentUser, roundAccess } from "../http/access.js";
import { buildExport } from "./build.js";
import { CONTENT_TYPES } from "./writers.js";
import { startExport } from "./threads.js";

/** RFC 5987 value characters: encodeURIComponent leaves ' ( ) * which the grammar does not allow. */
const rfc5987 = (name: string) => encodeURIComponent(name).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);

/** Raw layouts hold individual responses; the results layout holds only what the results API shows. */
export const exportAccess: MiddlewareHandler<AppEnv> = (c, next) =>
  roundAccess(c.req.param("layout") === "results" ? "results" : c.req.param("layout") === "codebook" ? "round" : "raw")(c, next);

export const exportHandlers = {
  download: async (c: Context<AppEnv, "/:id/:layout">) => {
    const ctx = c.var.ctx;
    const request = await buildExport(ctx, c.req.param("id")!, c.req.param("layout"), c.req.query(), currentUser(c));
    const { options, filename, filenameUtf8 } = request;
    // A small buffer: the database is read only as fast as the client takes the bytes.
    const out = new PassThrough({ highWaterMark: 64 * 1024 });
    // Raw exports are written by a worker thread, or refused while too many run (server/exports/threads.ts).
    startExport(c, request, out).catch((error: unknown) => {
      // The status line has gone out already; cutting the stream tells the client the file is incomplete.
      if (!out.destroyed) {
        console.error("export failed:", error);
        out.destroy(error as Error);
      }
    });
    return new Response(Readable.toWeb(out) as ReadableStream<Uint8Array>, {
      headers: {
        "content-type": CONTENT_TYPES[options.format],
        // An ASCII name for every client; the Vietnamese one (RFC 5987) for those that read it.
        "content-disposition": `attachment; filename="${filename}"; filename*=UTF-8''${rfc5987(filenameUtf8)}`,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  },
};
