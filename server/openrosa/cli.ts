/**
 * `chiso odk settings USERNAME --url BASE`: prints what an enumerator's phone needs to collect with
 * ODK Collect (server URL, username) and the QR code payload that configures it in one scan, with
 * a new device token as its password (revoked in /admin like any enumerator device).
 */
import { CliError, stringOption, writeLine, type Command } from "../lib/command-line.js";
import { withDatabase } from "../lib/command-database.js";
import { findUserByName, toUser } from "../accounts/repository.js";
import { setUpPhone } from "./settings.js";

export const ODK_SETTINGS_COMMAND: Command = {
  name: "odk settings",
  usage: `chiso odk settings USERNAME [--url https://chiso.example.vn] [--label "ODK Collect"]
  Make a device token for an enumerator's phone and print ODK Collect's server URL, username and
  settings QR code payload (zlib-deflated JSON, base64). --url defaults to CHISO_PUBLIC_URL.`,
  options: { url: { type: "string" }, label: { type: "string" } },
  args: ["USERNAME"],
  async run({ args, options, config, io }) {
    const base = (stringOption(options, "url") ?? process.env.CHISO_PUBLIC_URL ?? "").trim().replace(/\/$/, "");
    if (!/^https?:\/\/[^\s/]+/i.test(base)) {
      throw new CliError(
        {
          vi: "Cần địa chỉ của chiso: --url https://… (hoặc đặt CHISO_PUBLIC_URL).",
          en: "chiso's address is needed: --url https://… (or set CHISO_PUBLIC_URL).",
        },
        2,
      );
    }
    const label = (stringOption(options, "label") ?? "ODK Collect").slice(0, 100);
    await withDatabase(config, async (ctx) => {
      const row = await findUserByName(ctx.db.kysely, args[0]!);
      if (!row) throw new CliError({ vi: `Không có tài khoản “${args[0]}”.`, en: `There is no user “${args[0]}”.` });
      const user = toUser(row);
      if (user.role !== "enumerator" || user.disabled) {
        throw new CliError({
          vi: `“${user.username}” không phải tài khoản điều tra viên đang hoạt động.`,
          en: `“${user.username}” is not an active enumerator account.`,
        });
      }
      const setup = await setUpPhone(ctx.db.kysely, user, `${base}/openrosa`, label, "cli");
      writeLine(io.stdout, `server URL: ${setup.serverUrl}`);
      writeLine(io.stdout, `username:   ${setup.username}`);
      writeLine(io.stdout, `device:     ${setup.deviceId} (expires ${setup.expiresAt} unless used)`);
      writeLine(io.stdout, `QR code payload (ODK Collect › Project › Configure with QR code):`);
      writeLine(io.stdout, setup.payload);
    });
  },
};
