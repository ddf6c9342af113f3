/**
 * The settings ODK Collect imports from a QR code ("Configure with QR code"), in the form ODK
 * Central shows it: a JSON object `{"general": {...}, "admin": {...}, "project": {...}}`,
 * zlib-deflated and base64-encoded. chiso puts in the server URL, the username and, as the
 * password, a device token made for that phone: the phone needs nothing typed, and the token is
 * revoked in /admin (Devices) like an enumerator app's, without touching the account's password.
 */
import { deflateSync, inflateSync } from "node:zlib";
import type { Kysely } from "kysely";
import type { Database } from "../db/types.js";
import { createDeviceToken, type User } from "../accounts/repository.js";
import { audit } from "../accounts/audit.js";
import type { Context } from "hono";
import type { AppEnv } from "../app-context.js";

/** The server address ODK Collect is given, e.g. https://chiso.example.vn/openrosa. */
export function openRosaBase(c: Context<AppEnv>): string {
  return `${(process.env.CHISO_PUBLIC_URL?.trim() || new URL(c.req.url).origin).replace(/\/$/, "")}/openrosa`;
}

export interface OdkSettings {
  general: { server_url: string; username: string; password?: string };
  admin: Record<string, never>;
  project: { name: string; icon: string; color: string };
}

/** The QR code's text: zlib-deflated JSON in base64, as ODK Collect reads it. */
export function settingsPayload(settings: OdkSettings): string {
  return deflateSync(Buffer.from(JSON.stringify(settings), "utf8")).toString("base64");
}

/** Reads a payload back (tests, and support: what does this QR code hold?). */
export function readSettingsPayload(payload: string): OdkSettings {
  return JSON.parse(inflateSync(Buffer.from(payload, "base64")).toString("utf8")) as OdkSettings;
}

export interface PhoneSetup {
  serverUrl: string;
  username: string;
  deviceId: string;
  expiresAt: string;
  settings: OdkSettings;
  payload: string;
}

/** Makes a device token for `user`'s phone and the settings that carry it. */
export async function setUpPhone(db: Kysely<Database>, user: User, serverUrl: string, label: string, actor: string): Promise<PhoneSetup> {
  const device = await createDeviceToken(db, user.id, label);
  await audit(db, actor, "device.create", device.id, { label, via: "odk" });
  const settings: OdkSettings = {
    general: { server_url: serverUrl, username: user.username, password: device.token },
    admin: {},
    project: { name: "chiso", icon: "C", color: "#1d4ed8" },
  };
  return { serverUrl, username: user.username, deviceId: device.id, expiresAt: device.expiresAt, settings, payload: settingsPayload(settings) };
}
