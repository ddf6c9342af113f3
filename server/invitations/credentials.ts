/**
 * Anonymous credentials for invitation rounds: RSA blind signatures (RFC 9474,
 * RSABSSA-SHA384-PSS-Randomized, through @cloudflare/blindrsa-ts and the platform's WebCrypto).
 *
 * Each published cell (round × respondent group × unit) has its own key pair, so a valid signature
 * proves "an invitee of this cell may answer once" and nothing else. The server signs a message it
 * never sees (blinded by the invitee's browser); the finished signature on the real message cannot
 * be matched to the blinded one it came from. The response id is derived from the message, so the
 * responses table's primary key is the record of spent credentials.
 */
import { constants, createHash, createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt, webcrypto, type KeyObject } from "node:crypto";
import { RSABSSA } from "@cloudflare/blindrsa-ts";
import type { Kysely } from "kysely";
import type { Database } from "../db/types.js";

const suite = RSABSSA.SHA384.PSS.Randomized();
const ALGORITHM = { name: "RSA-PSS", hash: "SHA-384" } as const;
const subtle = webcrypto.subtle as unknown as SubtleCrypto;

export const toBase64Url = (b: Uint8Array) => Buffer.from(b).toString("base64url");
export const fromBase64Url = (s: string) => new Uint8Array(Buffer.from(s, "base64url"));

export interface Cell {
  round: string;
  group: string;
  unit: string;
}

interface CellKeys {
  publicKey: string;
  /** The private key as Node's key object, for the raw RSA operation of BlindSign. */
  sign: KeyObject;
  verify: CryptoKey;
}

/** Imported keys by database and cell (one process may serve several databases); a key never changes once made. */
const caches = new WeakMap<Kysely<Database>, Map<string, Promise<CellKeys | null>>>();
const cellId = (c: Cell) => `${c.round}\u0000${c.group}\u0000${c.unit}`;

/** Makes the key pair of every cell that has none yet (at import, so opening a link never races to make one). */
export async function ensureCellKeys(db: Kysely<Database>, cells: Cell[]): Promise<void> {
  for (const cell of cells) {
    const existing = await db
      .selectFrom("credential_keys")
      .select("round_id")
      .where("round_id", "=", cell.round)
      .where("group_code", "=", cell.group)
      .where("unit_key", "=", cell.unit)
      .executeTakeFirst();
    if (existing) continue;
    const pair = (await suite.generateKey({ modulusLength: 2048, publicExponent: Uint8Array.from([1, 0, 1]) })) as CryptoKeyPair;
    const publicKey = toBase64Url(new Uint8Array(await subtle.exportKey("spki", pair.publicKey)));
    const privateKey = toBase64Url(new Uint8Array(await subtle.exportKey("pkcs8", pair.privateKey)));
    await db
      .insertInto("credential_keys")
      .values({ round_id: cell.round, group_code: cell.group, unit_key: cell.unit, public_key: publicKey, private_key: privateKey })
      .onConflict((oc) => oc.columns(["round_id", "group_code", "unit_key"]).doNothing())
      .execute();
  }
}

async function cellKeys(db: Kysely<Database>, cell: Cell): Promise<CellKeys | null> {
  const id = cellId(cell);
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let hit = cache.get(id);
  if (!hit) {
    hit = (async () => {
      const row = await db
        .selectFrom("credential_keys")
        .selectAll()
        .where("round_id", "=", cell.round)
        .where("group_code", "=", cell.group)
        .where("unit_key", "=", cell.unit)
        .executeTakeFirst();
      if (!row) return null;
      const privateKey = await subtle.importKey("pkcs8", fromBase64Url(row.private_key), ALGORITHM, true, ["sign"]);
      const { kty, n, e, d, p, q, dp, dq, qi } = await subtle.exportKey("jwk", privateKey);
      return {
        publicKey: row.public_key,
        sign: createPrivateKey({ key: { kty: kty!, n: n!, e: e!, d: d!, p: p!, q: q!, dp: dp!, dq: dq!, qi: qi! }, format: "jwk" }),
        verify: await subtle.importKey("spki", fromBase64Url(row.public_key), ALGORITHM, true, ["verify"]),
      };
    })();
    cache.set(id, hit);
    // A cell without a key yet must be looked up again later.
    void hit.then((k) => {
      if (!k) cache!.delete(id);
    });
  }
  return hit;
}

export async function publicKeyOf(db: Kysely<Database>, cell: Cell): Promise<string | null> {
  return (await cellKeys(db, cell))?.publicKey ?? null;
}

/**
 * The blind signature of `blinded` under the cell's key: RFC 9474 BlindSign, that is RSASP1
 * (s = m^d mod n) followed by the RSAVP1 check that s^e mod n = m, which guards against a faulty
 * computation leaking the key. Done with OpenSSL's raw RSA (no padding), which gives the same
 * result as the library's pure-JavaScript arithmetic a hundred times faster. Deterministic: the
 * same blinded message always gets the same signature. Throws for a message not below the modulus.
 */
export async function blindSign(db: Kysely<Database>, cell: Cell, blinded: Uint8Array): Promise<Uint8Array> {
  const keys = await cellKeys(db, cell);
  if (!keys) throw new Error(`no credential key for ${cellId(cell)}`);
  const signature = privateDecrypt({ key: keys.sign, padding: constants.RSA_NO_PADDING }, blinded);
  const check = publicEncrypt({ key: createPublicKey(keys.sign), padding: constants.RSA_NO_PADDING }, signature);
  if (!check.equals(Buffer.from(blinded))) throw new Error("blind signature failed its check");
  return new Uint8Array(signature);
}

/** Whether `signature` is the cell key's signature on `message`; false for anything malformed. */
export async function verifyCredential(db: Kysely<Database>, cell: Cell, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const keys = await cellKeys(db, cell);
  if (!keys) return false;
  try {
    return await suite.verify(keys.verify, signature, message);
  } catch {
    return false;
  }
}

/** Hash of a blinded message, kept on the invitation so that a repeated request is recognised. */
export function requestHash(blinded: Uint8Array): string {
  return createHash("sha256").update(blinded).digest("base64url");
}

/**
 * The response id a credential gives: a UUID (version 4 layout) made from a hash of the round and
 * the credential's message. Random to anyone without the message, and the same on every resend.
 */
export function responseIdOf(round: string, message: Uint8Array): string {
  const h = createHash("sha256").update("chiso-credential-v1\u0000").update(round).update("\u0000").update(message).digest();
  h[6] = (h[6]! & 0x0f) | 0x40;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
