/**
 * The invitee's flow (docs/anonymity.md): the token comes from the link's fragment (`/i/#…`,
 * never sent in a URL), goes only in request bodies, and only to look up the invitation and to
 * obtain the credential. The answers go with the credential, never with the token.
 *
 * Until the answers are acknowledged, this browser keeps the credential (and, before it is
 * signed, the blinding state, so a lost reply can be asked again with the same blinded message).
 * Once acknowledged, it is deleted: nothing stays that pairs the invitation and the response.
 */
import type { SubmissionInput } from "../../shared/api/schemas.js";
import type { AnonymousResponse, CredentialIssued, InvitationForm } from "../../shared/api/invitations.js";
import type { Receipt } from "../../shared/api/responses.js";
import { requestJson } from "../common/net.js";

interface PendingCredential {
  publicKey: string;
  message: string;
  blinded: string;
  inv: string;
  signature?: string;
}

export interface InvitationFlow {
  /** Where the draft is kept until acknowledgement (not the token itself). */
  storageKey: string;
  load(): Promise<InvitationForm>;
  submit(body: SubmissionInput): Promise<Receipt>;
}

/** A short, non-reversible name for this invitation's entries in localStorage (deleted on acknowledgement). */
function localName(token: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) h = Math.imul(h ^ token.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(36);
}

export function invitationToken(hash: string): string | null {
  const token = hash.replace(/^#/, "");
  return /^[A-Za-z0-9_-]{16,64}$/.test(token) ? token : null;
}

export function invitationFlow(token: string): InvitationFlow {
  const name = localName(token);
  const pendingKey = `chiso.invitation.credential.${name}`;
  let form: InvitationForm | null = null;
  let credential: { message: string; signature: string } | null = null;

  const readPending = (): PendingCredential | null => {
    try {
      return JSON.parse(localStorage.getItem(pendingKey) ?? "null") as PendingCredential | null;
    } catch {
      return null;
    }
  };
  const writePending = (p: PendingCredential | null) => {
    try {
      if (p) localStorage.setItem(pendingKey, JSON.stringify(p));
      else localStorage.removeItem(pendingKey);
    } catch {
      /* private mode: the credential lives only in this page */
    }
  };

  return {
    storageKey: `invitation.${name}`,
    async load() {
      form = await requestJson<InvitationForm>("/api/invitations/lookup", { json: { token } });
      const { blindNewMessage, finalizeSignature } = await import("./credential.js");
      let pending = readPending();
      if (pending && pending.publicKey !== form.publicKey) pending = null;
      if (!pending) {
        pending = { publicKey: form.publicKey, ...(await blindNewMessage(form.publicKey)) };
        // Kept before asking: a reply lost on the way can be asked for again with the same blinded message.
        writePending(pending);
      }
      if (!pending.signature) {
        const issued = await requestJson<CredentialIssued>("/api/invitations/credential", { json: { token, blindedMessage: pending.blinded } });
        pending = { ...pending, signature: await finalizeSignature(form.publicKey, pending.message, issued.blindSignature, pending.inv) };
        writePending(pending);
      }
      credential = { message: pending.message, signature: pending.signature! };
      return form;
    },
    async submit(body) {
      if (!form || !credential) throw new Error("invitation not loaded");
      const receipt = await requestJson<Receipt>("/api/invitations/responses", {
        json: {
          round: form.cell.round,
          group: form.cell.group,
          unit: form.cell.unit,
          instrument: body.instrument,
          credential,
          answers: body.answers,
        } satisfies AnonymousResponse,
      });
      // Acknowledged: the credential is spent and nothing more is kept for this invitation.
      writePending(null);
      return receipt;
    },
  };
}
