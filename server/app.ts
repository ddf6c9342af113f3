/** The Hono application: every URL of the API (/api) and of the OpenRosa server (/openrosa), the built client for everything else, one error handler. */
import fs from "node:fs";
import path from "node:path";
import { Hono, type Context } from "hono";
import { serveStatic } from "@hono/node-server/serve-static";
import type { AppContext, AppEnv } from "./app-context.js";
import { Problem } from "./http/problem.js";
import { problemFromDatabaseError } from "./db/errors.js";
import { allow, checkDeclarations, roundAccess, ANALYSTS, type RouteDeclaration } from "./http/access.js";
import { publicRateLimit, trustedProxyHops } from "./http/rate-limit.js";
import { securityHeaders } from "./http/security-headers.js";
import { compression } from "./http/compression.js";
import { notModified } from "./http/conditional.js";
import { createHash } from "node:crypto";
import { sessionPolicy } from "./accounts/policy.js";
import { instrumentHandlers as instruments } from "./instruments/routes.js";
import { unitHandlers as units } from "./units/routes.js";
import { unitImportHandlers as unitImport } from "./units/import-routes.js";
import { roundHandlers as rounds } from "./rounds/routes.js";
import { offlineHandlers as offline } from "./rounds/offline-routes.js";
import { responseHandlers as responses } from "./responses/routes.js";
import { accountHandlers as accounts } from "./accounts/routes.js";
import { apiTokenHandlers as apiTokens } from "./accounts/api-tokens-routes.js";
import { invitationHandlers as invitations } from "./invitations/routes.js";
import { resultHandlers as results } from "./results/routes.js";
import { exportAccess, exportHandlers as exports } from "./exports/routes.js";
import { parIndexHandlers as par } from "./par-index/routes.js";
import { odkSettingsHandlers as odkSettings } from "./openrosa/settings-routes.js";
import { basicAuth, openRosaError, openRosaHandlers as openRosa, submissionLimit } from "./openrosa/routes.js";
import { UNITS_FILE } from "./openrosa/xform.js";
import { xlsformHandlers as xlsform } from "./xlsform/routes.js";
import { apiDocsHandlers } from "./api-docs/routes.js";
import type { Health } from "../shared/api/system.js";

const ADMINS = ["admin"] as const;
const SIGNED_IN = ["admin", "analyst", "enumerator"] as const;

export function createApp(ctx: AppContext) {
  // A bad CHISO_SESSION_IDLE_MINUTES or CHISO_TRUST_PROXY stops the server at start, not at the first sign-in.
  sessionPolicy();
  trustedProxyHops();
  const app = new Hono<AppEnv>();
  app.use(securityHeaders());
  app.use(compression());
  app.use(async (c, next) => {
    c.set("ctx", ctx);
    await next();
  });

  // Every URL of the API, with who may call it (server/http/access.ts). Handlers live in each
  // feature's routes file; their logic in the feature's service and repository modules.
  // Order matters where two paths match one URL: a fixed segment is listed before a parameter.
  const api = new Hono<AppEnv>();
  api.get("/health", allow("public"), async (c) => {
    const started = performance.now();
    await ctx.db.kysely.selectFrom("meta").select("key").limit(1).execute();
    return c.json({ status: "ok", database: ctx.db.dialect, dbMs: Math.round((performance.now() - started) * 100) / 100 } satisfies Health);
  });

  // Questionnaires (instruments and their editions), and XLSForm workbooks in and out.
  api.get("/instruments", allow("public"), instruments.list);
  api.get("/instruments/:id", allow("public"), instruments.get);
  api.post("/xlsform", allow(ADMINS), xlsform.importWorkbook);
  api.get("/xlsform/:edition", allow(ADMINS), xlsform.exportWorkbook);

  // Administrative units: search, browse, registries; administrators import villages and agencies.
  api.get("/units", allow("public"), units.search);
  api.get("/units/registries", allow("public"), units.registries);
  api.get("/units/:key/children", allow("public"), units.children);
  api.get("/units/:key", allow("public"), units.get);
  api.post("/units/import", allow(ADMINS), unitImport.importCsv);

  // Survey rounds: the respondent's form, creating, opening and closing; an enumerator's offline list.
  api.get("/rounds", allow("public"), rounds.list);
  api.get("/rounds/:id", allow("public"), rounds.get);
  api.get("/rounds/:id/form", allow("public"), rounds.form);
  api.post("/rounds", allow(ADMINS), rounds.create);
  api.patch("/rounds/:id", allow(ADMINS), rounds.setStatus);
  api.get("/rounds/:id/offline-units", allow(["enumerator", "admin"]), offline.units);

  // Responses: one from the respondent form or a signed-in enumerator, a batch from a device.
  api.post("/rounds/:id/responses", allow("public"), publicRateLimit(), responses.submit);
  api.post("/sync", allow(["enumerator", "admin"]), responses.sync);

  // Results of a round (roundAccess: the rounds and units the request names must be the caller's).
  api.get("/rounds/:id/results", allow(ANALYSTS), roundAccess(), results.tree);
  api.get("/rounds/:id/results/ranking", allow(ANALYSTS), roundAccess(), results.ranking);
  api.get("/rounds/:id/results/weakest", allow(ANALYSTS), roundAccess(), results.weakest);
  api.get("/rounds/:id/targets", allow(ANALYSTS), roundAccess(), results.targets);
  api.put("/rounds/:id/targets", allow(ANALYSTS), roundAccess(), results.setTargets);
  api.get("/rounds/:id/progress", allow(ANALYSTS), roundAccess("round"), results.progress);
  api.get("/peer-groups", allow(ANALYSTS), results.peerGroups);
  api.get("/peer-groups/:id", allow(ANALYSTS), results.peerGroup);
  api.put("/peer-groups/:id", allow(ANALYSTS), results.setPeerGroup);
  api.get("/rounds/:id/design", allow(ADMINS), results.design);
  api.put("/rounds/:id/design", allow(ADMINS), results.setDesign);

  // Downloads: raw responses, codebook, results appendices (exportAccess: by layout).
  api.get("/rounds/:id/export/:layout", allow(ANALYSTS), exportAccess, exports.download);

  // The leader survey's invitations: administrators import and follow; invitees use their token.
  api.post("/rounds/:id/invitations", allow(ADMINS), invitations.importInvitees);
  api.get("/rounds/:id/invitations/links.csv", allow(ADMINS), invitations.links);
  api.get("/rounds/:id/invitations/progress", allow(ADMINS), invitations.progress);
  api.post("/invitations/lookup", allow("token"), publicRateLimit("invitations"), invitations.lookup);
  api.post("/invitations/credential", allow("token"), publicRateLimit("invitations"), invitations.credential);
  api.post("/invitations/responses", allow("public"), publicRateLimit("invitations"), invitations.respond);

  // PAR INDEX rounds: agency accounts, self-assessment evidence, inputs, results, targets, what-if.
  api.get("/par/agency-members", allow(ADMINS), par.agencyMembers);
  api.get("/par/agency-members/:username", allow(ADMINS), par.agencyMember);
  api.put("/par/agency-members/:username", allow(ADMINS), par.setAgencyMember);
  api.get("/par/rounds", allow(ANALYSTS), par.rounds);
  api.get("/par/:round", allow(ANALYSTS), par.round);
  api.get("/par/:round/assessments/:unit/:group", allow(ANALYSTS), par.assessment);
  api.put("/par/:round/assessments/:unit/:group", allow(ANALYSTS), par.saveAssessment);
  api.post("/par/:round/assessments/:unit/:group/transition", allow(ANALYSTS), par.transition);
  api.get("/par/:round/inputs/:unit", allow(ANALYSTS), par.inputs);
  api.put("/par/:round/inputs/:unit", allow(ANALYSTS), par.setInputs);
  api.get("/par/:round/results", allow(ANALYSTS), par.results);
  api.get("/par/:round/targets", allow(ANALYSTS), par.targets);
  api.put("/par/:round/targets", allow(ANALYSTS), par.setTargets);
  api.get("/par/:round/below-maximum", allow(ANALYSTS), par.belowMaximum);
  api.post("/par/:round/what-if", allow(ANALYSTS), par.whatIf);

  // Accounts: signing in and out, users, enumerator devices, the audit log.
  api.post("/auth/login", allow("public"), accounts.login);
  api.post("/auth/logout", allow(SIGNED_IN, { duringPasswordChange: true }), accounts.logout);
  api.post("/auth/password", allow(SIGNED_IN, { duringPasswordChange: true }), accounts.changePassword);
  api.get("/auth/me", allow("public"), accounts.me);
  api.get("/users", allow(ADMINS), accounts.listUsers);
  api.post("/users", allow(ADMINS), accounts.createUser);
  api.patch("/users/:id", allow(ADMINS), accounts.setDisabled);
  api.put("/users/:id/password", allow(ADMINS), accounts.resetPassword);
  api.post("/devices", allow(["enumerator"]), accounts.registerDevice);
  api.get("/devices", allow(ADMINS), accounts.listDevices);
  api.delete("/devices/:id", allow(ADMINS), accounts.revokeDevice);
  api.get("/audit", allow(ADMINS), accounts.auditLog);
  // Analysts' read-only API tokens (only the routes of API_TOKEN_ROUTES take them).
  api.post("/api-tokens", allow(["analyst"]), apiTokens.create);
  api.get("/api-tokens", allow(ANALYSTS), apiTokens.list);
  api.delete("/api-tokens/:id", allow(ANALYSTS), apiTokens.revoke);
  // ODK Collect on a phone: its settings and QR code, with a new device token.
  api.post("/odk/settings", allow(["enumerator"]), odkSettings.phoneSetup);

  // The API reference, built from this app's own route declarations at its first request.
  const docs = apiDocsHandlers(() => routeDeclarations(app));
  api.get("/openapi.json", allow("public"), docs.document);
  api.get("/docs", allow("public"), docs.page);
  api.get("/docs/style.css", allow("public"), docs.stylesheet);
  api.all("*", () => {
    throw new Problem("not_found");
  });
  app.route("/api", api);

  // ODK Collect's OpenRosa server: HTTP Basic as an enumerator on every request instead of
  // allow(...); its refusals are OpenRosa messages (server/openrosa/routes.ts).
  const openrosa = new Hono<AppEnv>();
  openrosa.onError(openRosaError);
  openrosa.use("*", basicAuth());
  openrosa.get("/formList", openRosa.formList);
  openrosa.get("/forms/:id/form.xml", openRosa.form);
  openrosa.get("/forms/:id/manifest", openRosa.manifest);
  openrosa.get(`/forms/:id/${UNITS_FILE}`, openRosa.unitsFile);
  openrosa.get("/submission", openRosa.preflight);
  openrosa.post("/submission", submissionLimit, openRosa.submission);
  app.route("/openrosa", openrosa);

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
