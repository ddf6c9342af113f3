/** Secrets at rest: scrypt hashes (access codes, passwords) and random tokens. */
import { randomBytes, scryptSync, timingSafeEqual } from "node:crypto";

const KEY_LENGTH = 32;

export function hashSecret(secret: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(secret.normalize("NFC"), salt, KEY_LENGTH);
  return `scrypt$${salt.toString("base64url")}$${hash.toString("base64url")}`;
}

export function verifySecret(secret: string, stored: string): boolean {
  const [scheme, saltText, hashText] = stored.split("$");
  if (scheme !== "scrypt" || !saltText || !hashText) return false;
  const expected = Buffer.from(hashText, "base64url");
  const actual = scryptSync(secret.normalize("NFC"), Buffer.from(saltText, "base64url"), expected.length);
  return timingSafeEqual(actual, expected);
}

/** A random token with `bytes` of entropy, URL-safe. */
export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString("base64url");
}

/** A receipt code a person can read out: 9 characters from an unambiguous alphabet, e.g. "K7Q-3MX-9PD". */
export function receiptCode(): string {
  const alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  const bytes = randomBytes(9);
  let out = "";
  for (let i = 0; i < 9; i++) {
    out += alphabet[bytes[i]! % alphabet.length];
    if (i === 2 || i === 5) out += "-";
  }
  return out;
}
