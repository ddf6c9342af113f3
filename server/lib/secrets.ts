/**
 * Secrets at rest: scrypt password hashes that carry their own cost parameters, and random tokens.
 * Hashing runs on libuv's thread pool (async scrypt), never on the event loop.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

const KEY_LENGTH = 32;

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/** What new hashes use: 32 MiB of memory, about 0.1 s of one core. Raise it here; old hashes are upgraded at sign-in. */
export const SCRYPT_COST: ScryptCost = { N: 2 ** 15, r: 8, p: 1 };
/** Hashes written before the parameters were stored (`scrypt$salt$hash`) used Node's defaults. */
const LEGACY_COST: ScryptCost = { N: 2 ** 14, r: 8, p: 1 };

function derive(secret: string, salt: Buffer, length: number, cost: ScryptCost): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; Node's default ceiling (32 MiB) is just too small for N = 2^15.
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(secret.normalize("NFC"), salt, length, options, (error, key) => (error ? reject(error) : resolve(key))));
}

/** `scrypt$N=32768,r=8,p=1$<salt>$<hash>` (base64url). */
export async function hashSecret(secret: string, cost: ScryptCost = SCRYPT_COST): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(secret, salt, KEY_LENGTH, cost);
  return `scrypt$N=${cost.N},r=${cost.r},p=${cost.p}$${salt.toString("base64url")}$${hash.toString("base64url")}`;
}

interface ParsedHash {
  cost: ScryptCost;
  salt: Buffer;
  hash: Buffer;
}

function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split("$");
  if (parts[0] !== "scrypt") return null;
  let cost = LEGACY_COST;
  if (parts.length === 4) {
    const params = Object.fromEntries(parts[1]!.split(",").map((kv) => kv.split("=") as [string, string]));
    const [N, r, p] = [Number(params.N), Number(params.r), Number(params.p)];
    // Bounds keep a tampered row from asking for gigabytes of memory.
    if (![N, r, p].every(Number.isInteger) || N < 2 || N > 2 ** 20 || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return null;
    cost = { N, r, p };
  } else if (parts.length !== 3) return null;
  const [saltText, hashText] = parts.slice(-2) as [string, string];
  if (!saltText || !hashText) return null;
  return { cost, salt: Buffer.from(saltText, "base64url"), hash: Buffer.from(hashText, "base64url") };
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed || parsed.hash.length === 0) return false;
  const actual = await derive(secret, parsed.salt, parsed.hash.length, parsed.cost);
  return timingSafeEqual(actual, parsed.hash);
}

/** Whether a stored hash is cheaper than what new hashes use (or unreadable), so it should be rewritten. */
export function needsRehash(stored: string, cost: ScryptCost = SCRYPT_COST): boolean {
  const parsed = parseHash(stored);
  return !parsed || parsed.cost.N < cost.N || parsed.cost.r < cost.r || parsed.cost.p < cost.p;
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
