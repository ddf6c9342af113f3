/** The Hono application: API routes under /api, the built client for everything else, one error handler. */
import fs from "node:fs";
import path from "node:path";
import { Hono, type Context } from "hono";
import { serveStatic } from "@hono/node-server/serve-static";
import type { AppContext, AppEnv } from "./app-context.js";
import { Problem } from "./http/problem.js";
import { problemFromDatabaseError } from "./db/errors.js";
import { instrumentRoutes } from "./instruments/routes.js";
import { unitRoutes } from "./units/routes.js";
import { unitImportRoutes } from "./units/import-routes.js";
import { roundRoutes } from "./rounds/routes.js";
import { responseRoutes } from "./responses/routes.js";
import { accountRoutes } from "./accounts/routes.js";
import { invitationRoutes } from "./invitations/routes.js";
import { allow, checkDeclarations, type RouteDeclaration } from "./http/access.js";
import { resultsApi } from "./results/api.js";
import { securityHeaders } from "./http/security-headers.js";
import { compression } from "./http/compression.js";
import { notModified } from "./http/conditional.js";
import { createHash } from "node:crypto";
import { parIndexRoutes } from "./par-index/routes.js";
import { openRosaRoutes } from "./openrosa/routes.js";
import { odkSettingsRoutes } from "./openrosa/settings-routes.js";
import { xlsformRoutes } from "./xlsform/routes.js";
import { apiTokenRoutes } from "./accounts/api-tokens-routes.js";
import { apiDocsRoutes } from "./api-docs/routes.js";

export function createApp(ctx: AppContext) {
  const app = new Hono<AppEnv>();
  app.use(securityHeaders());
  app.use(compression());
  app.use(async (c, next) => {
    c.set("ctx", ctx);
    await next();
  });

  const api = new Hono<AppEnv>();
  api.get("/health", allow("public"), async (c) => {
    const started = performance.now();
    await ctx.db.kysely.selectFrom("meta").select("key").limit(1).execute();
    return c.json({ status: "ok", database: ctx.db.dialect, dbMs: Math.round((performance.now() - started) * 100) / 100 });
  });
  api.route("/instruments", instrumentRoutes());
  api.route("/units", unitRoutes());
  api.route("/units", unitImportRoutes());
  api.route("/rounds", roundRoutes());
  api.route("/", responseRoutes());
  api.route("/", accountRoutes());
  api.route("/", apiTokenRoutes());
  api.route("/", invitationRoutes());
  api.route("/", resultsApi());
  api.route("/par", parIndexRoutes());
  api.route("/odk", odkSettingsRoutes());
  api.route("/xlsform", xlsformRoutes());
  // The API reference, built from this app's own route declarations at its first request.
  api.route(
    "/",
    apiDocsRoutes(() => routeDeclarations(app)),
  );
  api.all("*", () => {
    throw new Problem("not_found");
  });
  app.route("/api", api);
  // ODK Collect's OpenRosa server: HTTP Basic per request, its own access rules (server/openrosa/routes.ts).
  app.route("/openrosa", openRosaRoutes());

  if (ctx.settings.clientDir && fs.existsSync(ctx.settings.clientDir)) mountClient(app, ctx.settings.clientDir);

  app.onError((err, c) => {
    if (err instanceof Problem) return c.json(err.body(), err.status as 400);
    const translated = problemFromDatabaseError(err);
    if (translated) return c.json(translated.body(), translated.status as 400);
    console.error(err);
    return c.json(new Problem("internal").body(), 500);
  });
  app.notFound((c) => c.json(new Problem("not_found").body(), 404));
  // Refuse to start with an API route that does not say who may call it.
  declarations.set(app, checkDeclarations(app.routes));
  return app;
}

const declarations = new WeakMap<object, RouteDeclaration[]>();

/** Every API route with its declared access, for the authorization-matrix test and the docs. */
export function routeDeclarations(app: ReturnType<typeof createApp>): RouteDeclaration[] {
  return declarations.get(app)!;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Serves the built client; each app route gets its own HTML entry so the respondent page stays light. */
function mountClient(app: Hono<AppEnv>, clientDir: string) {
  const root = path.relative(process.cwd(), clientDir) || ".";
  const page = (file: string) => {
    const html = fs.readFileSync(path.join(clientDir, file), "utf8");
    const etag = `"${createHash("sha256").update(html).digest("base64url").slice(0, 22)}"`;
    return (c: Context<AppEnv>) => {
      // The respondent page fetches its round's definition as soon as its script runs; a preload
      // hint starts that request with the page's, saving a round trip on a slow phone.
      const round = file === "respond.html" ? /^\/r\/([^/]+)/.exec(c.req.path)?.[1] : undefined;
      if (round) c.header("link", `</api/rounds/${encodeURIComponent(decodeURIComponentSafe(round))}/form>; rel=preload; as=fetch; crossorigin`);
      return notModified(c, etag) ? c.body(null, 304) : c.html(html);
    };
  };
  const entries: Array<[string, string]> = [
    ["/r/*", "respond.html"],
    ["/i/*", "respond.html"],
    ["/collect", "collect.html"],
    ["/collect/*", "collect.html"],
    ["/dashboard", "dashboard.html"],
    ["/dashboard/*", "dashboard.html"],
    ["/admin", "admin.html"],
    ["/admin/*", "admin.html"],
  ];
  for (const [route, file] of entries) {
    if (fs.existsSync(path.join(clientDir, file))) app.get(route, page(file));
  }
  if (fs.existsSync(path.join(clientDir, "index.html"))) app.get("/", page("index.html"));
  app.use(
    "/*",
    serveStatic({
      root,
      // The build writes .br and .gz beside every text asset (vite.config.ts): no work per request.
      precompressed: true,
      onFound: (filePath, c) => {
        // Hashed assets never change; the service worker and manifest must be re-checked.
        if (filePath.includes("/assets/")) c.header("cache-control", "public, max-age=31536000, immutable");
        else c.header("cache-control", "no-cache");
      },
    }),
  );
}
