/**
 * GET /api/openapi.json (the OpenAPI 3.1 document), GET /api/docs (a readable page of it) and its
 * stylesheet. Public: the reference says what exists and who may call it, never any data. The
 * document is built once per app, from the app's own route declarations.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app-context.js";
import type { RouteDeclaration } from "../http/access.js";
import { buildOpenApiDocument, type OpenApiDocument } from "./document.js";
import { DOCS_CSS, docsPage } from "./page.js";

/** `declarations`: called at the first request, when the app (and so its route list) is complete. */
export function apiDocsHandlers(declarations: () => readonly RouteDeclaration[]) {
  let built: { doc: OpenApiDocument; json: string; html: string } | null = null;
  const get = () => {
    if (!built) {
      const doc = buildOpenApiDocument(declarations());
      built = { doc, json: JSON.stringify(doc), html: docsPage(doc) };
    }
    return built;
  };

  return {
    document: (c: Context<AppEnv>) => c.body(get().json, 200, { "content-type": "application/json; charset=utf-8", "cache-control": "no-cache" }),
    page: (c: Context<AppEnv>) => c.html(get().html, 200, { "cache-control": "no-cache" }),
    stylesheet: (c: Context<AppEnv>) => c.body(DOCS_CSS, 200, { "content-type": "text/css; charset=utf-8", "cache-control": "no-cache" }),
  };
}
