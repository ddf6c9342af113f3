/**
 * Payloads of /api/api-tokens: an analyst's read-only tokens for R, Excel Power Query or Power BI
 * (docs/api.md). The token itself appears once, in the answer to its creation; lists never show it.
 */
import { z } from "zod";
import { plainString } from "./schemas.js";

/** Every token ends; a year is the longest an analyst may ask for (docs/decisions/0019-api-tokens.md). */
export const API_TOKEN_MAX_DAYS = 365;

/** Tokens start with this, so a leaked one is recognisable (secret scanners) and told apart from device tokens. */
export const API_TOKEN_PREFIX = "chiso_at_";

export const NewApiTokenSchema = z
  .object({
    /** What the token is for, e.g. "R – báo cáo quý". */
    label: plainString().trim().min(1).max(100),
    /** Days until it stops working: required, 1 to API_TOKEN_MAX_DAYS. */
    expiresInDays: z.number().int().min(1).max(API_TOKEN_MAX_DAYS),
  })
  .strict();
export type NewApiToken = z.infer<typeof NewApiTokenSchema>;

const isoDateTime = z.string().datetime({ offset: true });

export const ApiTokenSchema = z
  .object({
    id: z.string().uuid(),
    label: z.string(),
    /** The account whose rights and scope the token carries. */
    username: z.string(),
    createdAt: isoDateTime,
    expiresAt: isoDateTime,
    revokedAt: isoDateTime.nullable(),
    revokedBy: z.string().nullable(),
    lastUsedAt: isoDateTime.nullable(),
    /** Derived: usable now (not revoked, not expired). */
    active: z.boolean(),
  })
  .strict();
export type ApiToken = z.infer<typeof ApiTokenSchema>;

export const ApiTokenListSchema = z.object({ tokens: z.array(ApiTokenSchema) }).strict();
export type ApiTokenList = z.infer<typeof ApiTokenListSchema>;

/** The answer to a creation: the only time the token is shown. */
export const CreatedApiTokenSchema = z.object({ token: z.string().startsWith(API_TOKEN_PREFIX), apiToken: ApiTokenSchema }).strict();
export type CreatedApiToken = z.infer<typeof CreatedApiTokenSchema>;
