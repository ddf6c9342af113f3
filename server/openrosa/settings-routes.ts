/**
 * POST /api/odk/settings: a signed-in enumerator sets up ODK Collect on a phone. The answer holds
 * a new device token inside ODK Collect's settings and their QR code payload (settings.ts); like
 * POST /api/devices, the token is shown once.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app-context.js";
import { currentUser } from "../http/access.js";
import { parseWith, readJson } from "../http/body.js";
import { openRosaBase, setUpPhone } from "./settings.js";
import { PhoneSetupRequestSchema, type PhoneSetup } from "../../shared/api/odk.js";

export const odkSettingsHandlers = {
  phoneSetup: async (c: Context<AppEnv>) => {
    const { label } = parseWith(PhoneSetupRequestSchema, await readJson(c));
    const user = currentUser(c);
    const setup = await setUpPhone(c.var.ctx.db.kysely, user, openRosaBase(c), label, user.username);
    c.header("cache-control", "no-store");
    return c.json(setup satisfies PhoneSetup, 201);
  },
};
