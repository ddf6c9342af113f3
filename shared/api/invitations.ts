/**
 * Payloads of the leader survey's invitations: importing invitees, and the invitee's three calls
 * (look up the invitation, obtain a blind-signed credential, answer with the credential). The
 * token travels only in request bodies, never in a URL path; the answer carries the credential,
 * never the token (docs/anonymity.md).
 */
import { z } from "zod";
import { AnswerValueSchema } from "../instrument/schema.js";
import { plainString } from "./schemas.js";
import { FormPayloadSchema } from "./rounds.js";

/** One invitee as imported (CSV columns name,email,group,agency or JSON). */
export const InviteeSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    email: z.string().trim().email().max(200),
    group: z.string().min(1),
    agency: z.string().min(1),
  })
  .strict();

export const InviteeImportSchema = z.object({ invitees: z.array(z.unknown()).min(1).max(20_000) }).strict();

/** Invitation tokens are 24 random bytes in base64url (32 characters). */
const token = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);
/** Bytes as base64url, bounded (an RSA-2048 blinded message or signature is 256 bytes). */
const bytes = (max: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .max(Math.ceil((max * 4) / 3));

export const InvitationLookupSchema = z.object({ token }).strict();

export const CredentialRequestSchema = z.object({ token, blindedMessage: bytes(512) }).strict();

/** The published cell a credential is valid for: round, respondent group, unit (the province). */
const CredentialCellSchema = z.object({ round: z.string(), group: z.string(), unit: z.string() });

/** POST /api/invitations/lookup: the form fixed to the cell, and the cell's public key. */
export const InvitationFormSchema = FormPayloadSchema.extend({
  invitee: z.object({ name: z.string() }),
  cell: CredentialCellSchema,
  /** SubjectPublicKeyInfo (RSA-PSS, SHA-384), base64url: RFC 9474 RSABSSA-SHA384-PSS-Randomized. */
  publicKey: z.string(),
  /** Whether a credential was already issued for this invitation (to this browser or another). */
  opened: z.boolean(),
  minCellSize: z.number().int(),
});
export type InvitationForm = z.infer<typeof InvitationFormSchema>;

/** POST /api/invitations/credential. */
export const CredentialIssuedSchema = z.object({ blindSignature: z.string() });
export type CredentialIssued = z.infer<typeof CredentialIssuedSchema>;

/**
 * An anonymous answer: the cell, the answers and the credential (prepared message and signature).
 * Nothing in it names the invitation. The response id is derived from the credential on the
 * server, so one credential gives at most one response.
 */
export const AnonymousResponseSchema = z
  .object({
    round: plainString().min(1).max(100),
    group: plainString().min(1).max(40),
    unit: plainString().min(1).max(80),
    instrument: z.object({ id: plainString().max(100), version: plainString().max(40) }).strict(),
    credential: z.object({ message: bytes(128), signature: bytes(512) }).strict(),
    answers: z.record(plainString(), AnswerValueSchema),
  })
  .strict();
export type AnonymousResponse = z.infer<typeof AnonymousResponseSchema>;

/** POST /api/rounds/:id/invitations: how many invitees were imported. */
export const InviteesImportedSchema = z.object({ imported: z.number().int() });
export type InviteesImported = z.infer<typeof InviteesImportedSchema>;

const CountsSchema = z.object({ invited: z.number().int(), opened: z.number().int(), responses: z.number().int() });
/** GET /api/rounds/:id/invitations/progress: per invitee only "opened", per group only counts. */
export const InvitationProgressSchema = z.object({
  total: CountsSchema,
  groups: z.array(CountsSchema.extend({ group: z.string() })),
  invitees: z.array(z.object({ name: z.string(), email: z.string(), group: z.string(), agency: z.string(), agencyName: z.string(), opened: z.boolean() })),
  minCellSize: z.number().int(),
});
export type InvitationProgress = z.infer<typeof InvitationProgressSchema>;
