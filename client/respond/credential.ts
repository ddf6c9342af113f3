/**
 * The invitee's side of the anonymous credential (RFC 9474 RSA blind signatures,
 * RSABSSA-SHA384-PSS-Randomized): a random message, blinded before the server signs it, then
 * unblinded here. The server never sees the message until the answers carry it, and then cannot
 * tell which invitation it was signed for. Loaded only on the invitation page.
 */
import { RSABSSA } from "@cloudflare/blindrsa-ts";

const suite = RSABSSA.SHA384.PSS.Randomized();

export function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

const importKey = (spki: string) => crypto.subtle.importKey("spki", fromBase64Url(spki), { name: "RSA-PSS", hash: "SHA-384" }, true, ["verify"]);

/** A new random message, prepared (RFC 9474 §4.1) and blinded for the cell's key. All base64url. */
export async function blindNewMessage(publicKey: string): Promise<{ message: string; blinded: string; inv: string }> {
  const message = suite.prepare(crypto.getRandomValues(new Uint8Array(32)));
  const { blindedMsg, inv } = await suite.blind(await importKey(publicKey), message);
  return { message: toBase64Url(message), blinded: toBase64Url(blindedMsg), inv: toBase64Url(inv) };
}

/** Unblinds the server's signature; throws when it is not a valid signature on the message. */
export async function finalizeSignature(publicKey: string, message: string, blindSignature: string, inv: string): Promise<string> {
  const signature = await suite.finalize(await importKey(publicKey), fromBase64Url(message), fromBase64Url(blindSignature), fromBase64Url(inv));
  return toBase64Url(signature);
}
