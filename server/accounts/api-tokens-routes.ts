/**
 * /api/api-tokens: an analyst makes, lists and revokes their own read-only API tokens (signed in,
 * never with a token); an administrator lists and revokes everyone's. Creating and revoking are
 * written to the audit log. Rules: docs/api.md, decision 0019.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app-context.js";
import { allow, currentUser, ANALYSTS } from "../http/access.js";
import { parseWith, readJson } from "../http/body.js";
import { Problem } from "../http/problem.js";
import { NewApiTokenSchema } from "../../shared/api/api-tokens.js";
import { createApiToken, listApiTokens, revokeApiToken } from "./api-tokens.js";
import { audit } from "./audit.js";

export function apiTokenRoutes() {
  const app = new Hono<AppEnv>();

  // Analysts only: an administrator's token would carry rights (raw exports of invitation rounds,
  // every area) that a credential pasted into a spreadsheet should not hold.
  app.post("/api-tokens", allow(["analyst"]), async (c) => {
    const db = c.var.ctx.db.kysely;
    const user = currentUser(c);
    const input = parseWith(NewApiTokenSchema, await readJson(c));
    const created = await createApiToken(db, user, input);
    await audit(db, user.username, "api-token.create", created.apiToken.id, { label: created.apiToken.label, expiresAt: created.apiToken.expiresAt });
    return c.json(created, 201);
  });

  app.get("/api-tokens", allow(ANALYSTS), async (c) => {
    const user = currentUser(c);
    return c.json({ tokens: await listApiTokens(c.var.ctx.db.kysely, user.role === "admin" ? null : user.id) });
  });

  app.delete("/api-tokens/:id", allow(ANALYSTS), async (c) => {
    const db = c.var.ctx.db.kysely;
    const user = currentUser(c);
    const id = c.req.param("id");
    // Another account's token answers as an unknown one: its existence is not the caller's business.
    const revoked = await revokeApiToken(db, id, user.username, user.role === "admin" ? null : user.id);
    if (!revoked) {
      throw new Problem(
        "not_found",
        undefined,
        { apiToken: id },
        { vi: "Không có mã API này, hoặc mã đã bị thu hồi.", en: "No such API token, or it is revoked already." },
      );
    }
    await audit(db, user.username, "api-token.revoke", id, { owner: revoked.username });
    return c.json({ ok: true });
  });

  return app;
}
