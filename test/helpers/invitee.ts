/**
 * An invitee's browser, in Node: looks up the invitation, has a random credential blind-signed,
 * unblinds it, and answers with it — the same calls and the same code (client/respond/credential.ts)
 * the invitation page uses.
 */
import { blindNewMessage, finalizeSignature } from "../../client/respond/credential.js";
import type { TestServer } from "./server.js";

export interface Credential {
  message: string;
  signature: string;
}

export interface OpenedInvitation {
  form: any;
  credential: Credential;
  blinded: string;
}

/** Opens the link: lookup and credential. Throws with the server's answer when either is refused. */
export async function openInvitation(server: TestServer, token: string): Promise<OpenedInvitation> {
  const lookup = await server.api("/api/invitations/lookup", { json: { token } });
  if (lookup.status !== 200) throw new Error(`lookup ${lookup.status}: ${JSON.stringify(lookup.body)}`);
  const form = lookup.body;
  const { message, blinded, inv } = await blindNewMessage(form.publicKey);
  const issued = await server.api("/api/invitations/credential", { json: { token, blindedMessage: blinded } });
  if (issued.status !== 200) throw new Error(`credential ${issued.status}: ${JSON.stringify(issued.body)}`);
  const signature = await finalizeSignature(form.publicKey, message, issued.body.blindSignature, inv);
  return { form, credential: { message, signature }, blinded };
}

/** The body of an anonymous answer. */
export function anonymousAnswer(opened: OpenedInvitation, answers: Record<string, unknown>) {
  const { form, credential } = opened;
  return {
    round: form.cell.round,
    group: form.cell.group,
    unit: form.cell.unit,
    instrument: { id: form.instrument.id, version: form.instrument.version },
    credential,
    answers,
  };
}
