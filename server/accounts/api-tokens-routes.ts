/**
 * /api/api-tokens: an analyst makes, lists and revokes their own read-only API tokens (signed in,
 * never with a token); an administrator lists and revokes everyone's. Creating and revoking are
 * written to the audit log. Rules: docs/api.md, decision 0019.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app-context.js";
import { currentUser } from "../http/access.js";
import { parseWith, readJson } from "../http/body.js";
import { Problem } from "../http/problem.js";
import { NewApiTokenSchema, type ApiTokenList, type CreatedApiToken } from "../../shared/api/api-tokens.js";
import type { Ok } from "../../shared/api/accounts.js";
import { createApiToken, listApiTokens, revokeApiToken } from "./api-tokens.js";
import { audit } from "./audit.js";

export const apiTokenHandlers = {
  // Analysts only: an administrator's token would carry rights (raw exports of invitation rounds,
  // every area) that a credential pasted into a spreadsheet should not hold.
  create: async (c: Context<AppEnv>) => {
    const db = c.var.ctx.db.kysely;
    const user = currentUser(c);
    const input = parseWith(NewApiTokenSchema, await readJson(c));
    const created = await createApiToken(db, user, input);
    await audit(db, user.username, "api-token.create", created.apiToken.id, { label: created.apiToken.label, expiresAt: created.apiToken.expiresAt });
    return c.json(created satisfies CreatedApiToken, 201);
  },

  list: async (c: Context<AppEnv>) => {
    const user = currentUser(c);
    return c.json({ tokens: await listApiTokens(c.var.ctx.db.kysely, user.role === "admin" ? null : user.id) } satisfies ApiTokenList);
  },

  revoke: async (c: Context<AppEnv, "/:id">) => {
    const db = c.var.ctx.db.kysely;
    const user = currentUser(c);
    const id = c.req.param("id");
    // Another account's token answers as an unknown one: its existence is not the caller's business.
    const revoked = await revokeApiToken(db, id, user.username, user.role === "admin" ? null : user.id);
    if (!revoked) {
      throw new Problem("api_token_not_found", undefined, { apiToken: id });
    }
    await audit(db, user.username, "api-token.revoke", id, { owner: revoked.username });
    return c.json({ ok: true } satisfies Ok);
  },
};
