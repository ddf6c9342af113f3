/**
 * `chiso api-token create|list|revoke`: an administrator at the server makes a read-only API token
 * for an analyst account (printed once), lists tokens, or revokes one; each change goes to the
 * audit log with "cli" as the actor, as the web API's do with the account's name.
 */
import { CliError, stringOption, writeLine, type Command } from "../lib/command-line.js";
import { withDatabase } from "../lib/command-database.js";
import { findUserByName, toUser } from "./repository.js";
import { createApiToken, listApiTokens, revokeApiToken } from "./api-tokens.js";
import { audit } from "./audit.js";
import { API_TOKEN_MAX_DAYS } from "../../shared/api/api-tokens.js";

const noUser = (name: string) => new CliError({ vi: `Không có tài khoản “${name}”.`, en: `There is no user “${name}”.` });

export const API_TOKEN_CREATE_COMMAND: Command = {
  name: "api-token create",
  usage: `chiso api-token create USERNAME --days N [--label TEXT]
  Make a read-only API token for an analyst account, valid N days (1–${API_TOKEN_MAX_DAYS}), with the
  account's rounds and area. The token is printed once; only its hash is kept (docs/api.md).`,
  options: { days: { type: "string", integer: { min: 1, max: API_TOKEN_MAX_DAYS }, required: true }, label: { type: "string" } },
  args: ["USERNAME"],
  async run({ args, options, config, io }) {
    const label = (stringOption(options, "label") ?? "chiso api-token create").normalize("NFC").trim();
    if (!label || label.length > 100) throw new CliError({ vi: "--label: 1 đến 100 ký tự.", en: "--label: 1 to 100 characters." }, 2);
    await withDatabase(config, async (ctx) => {
      const row = await findUserByName(ctx.db.kysely, args[0]!);
      if (!row) throw noUser(args[0]!);
      const user = toUser(row);
      if (user.role !== "analyst" || user.disabled) {
        throw new CliError({
          vi: `“${user.username}” không phải tài khoản cán bộ phân tích đang hoạt động.`,
          en: `“${user.username}” is not an active analyst account.`,
        });
      }
      const created = await createApiToken(ctx.db.kysely, user, { label, expiresInDays: Number(options.days) });
      await audit(ctx.db.kysely, "cli", "api-token.create", created.apiToken.id, { label, expiresAt: created.apiToken.expiresAt, owner: user.username });
      writeLine(io.stdout, `token:   ${created.token}`);
      writeLine(io.stdout, `id:      ${created.apiToken.id}`);
      writeLine(io.stdout, `account: ${user.username}`);
      writeLine(io.stdout, `expires: ${created.apiToken.expiresAt}`);
    });
  },
};

export const API_TOKEN_LIST_COMMAND: Command = {
  name: "api-token list",
  usage: `chiso api-token list [--user USERNAME]
  List API tokens (never the tokens themselves): id, account, label, expiry, state.`,
  options: { user: { type: "string" } },
  args: [],
  async run({ options, config, io }) {
    await withDatabase(config, async (ctx) => {
      const name = stringOption(options, "user");
      let userId: string | null = null;
      if (name) {
        const row = await findUserByName(ctx.db.kysely, name);
        if (!row) throw noUser(name);
        userId = row.id;
      }
      const tokens = await listApiTokens(ctx.db.kysely, userId);
      if (tokens.length === 0) writeLine(io.stdout, "no API tokens");
      for (const t of tokens) {
        const state = t.revokedAt ? `revoked ${t.revokedAt} by ${t.revokedBy}` : t.active ? "active" : "expired";
        writeLine(io.stdout, `${t.id}  ${t.username}  ${t.label}  expires ${t.expiresAt}  ${state}`);
      }
    });
  },
};

export const API_TOKEN_REVOKE_COMMAND: Command = {
  name: "api-token revoke",
  usage: `chiso api-token revoke ID
  Revoke an API token at once (its id from “chiso api-token list”).`,
  options: {},
  args: ["ID"],
  async run({ args, config, io }) {
    await withDatabase(config, async (ctx) => {
      const revoked = await revokeApiToken(ctx.db.kysely, args[0]!, "cli", null);
      if (!revoked) throw new CliError({ vi: `Không có mã API “${args[0]}” đang dùng được.`, en: `There is no unrevoked API token “${args[0]}”.` });
      await audit(ctx.db.kysely, "cli", "api-token.revoke", args[0]!, { owner: revoked.username });
      writeLine(io.stdout, `API token ${args[0]} of ${revoked.username} revoked`);
    });
  },
};
