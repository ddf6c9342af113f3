/**
 * POST /api/odk/settings: a signed-in enumerator sets up ODK Collect on a phone. The answer holds
 * a new device token inside ODK Collect's settings and their QR code payload (settings.ts); like
 * POST /api/devices, the token is shown once.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-context.js";
import { allow, currentUser } from "../http/access.js";
import { parseWith, readJson } from "../http/body.js";
import { openRosaBase } from "./routes.js";
import { setUpPhone } from "./settings.js";

const SetupSchema = z.object({ label: z.string().min(1).max(100).default("ODK Collect") }).strict();

export function odkSettingsRoutes() {
  const app = new Hono<AppEnv>();
  app.post("/settings", allow(["enumerator"]), async (c) => {
    const { label } = parseWith(SetupSchema, await readJson(c));
    const user = currentUser(c);
    const setup = await setUpPhone(c.var.ctx.db.kysely, user, openRosaBase(c), label, user.username);
    c.header("cache-control", "no-store");
    return c.json(setup, 201);
  });
  return app;
}
