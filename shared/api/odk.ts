/**
 * POST /api/odk/settings: setting up ODK Collect on a phone. The answer carries a new device token
 * inside ODK Collect's settings and their QR code payload; like POST /api/devices, shown once.
 */
import { z } from "zod";

export const PhoneSetupRequestSchema = z.object({ label: z.string().min(1).max(100).default("ODK Collect") }).strict();

export const PhoneSetupSchema = z.object({
  serverUrl: z.string(),
  username: z.string(),
  deviceId: z.string(),
  expiresAt: z.string(),
  /** ODK Collect's settings JSON, the device token as the password. */
  settings: z.object({
    general: z.object({ server_url: z.string(), username: z.string(), password: z.string().optional() }),
    admin: z.object({}),
    project: z.object({ name: z.string(), icon: z.string(), color: z.string() }),
  }),
  /** The QR code's text: zlib-deflated settings JSON in base64. */
  payload: z.string(),
});
export type PhoneSetup = z.infer<typeof PhoneSetupSchema>;
