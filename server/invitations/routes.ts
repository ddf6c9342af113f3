/**
 * The leader survey's invitations (docs/anonymity.md). Administrators import invitees and export
 * their links (`/i/#<token>`: the token stays in the fragment, which browsers never send). The
 * invitee's page then makes three calls, the token only ever in a request body:
 *
 * 1. `POST /invitations/lookup` — the form, fixed to the invitee's published cell (round ×
 *    group × province), and the cell's public key. Changes nothing.
 * 2. `POST /invitations/credential` — a blind signature on a message the server never sees; the
 *    invitation is marked "opened" in its own transaction. Once per invitation.
 * 3. `POST /invitations/responses` — answers with the unblinded credential and without the token.
 *    The credential is verified and spent (it is the response's id) in the response's own
 *    transaction; an identical resend gets the same receipt, other content is refused (409).
 *
 * Nothing here logs, and nothing joins the invitation to the response: no column, transaction,
 * time or order (see openInvitation and docs/decisions/0008-anonymous-credentials.md).
 */
import type { Context } from "hono";
import type { AppEnv, AppContext } from "../app-context.js";
import { canSeeRound, currentUser } from "../http/access.js";
import { parseWith, readJson } from "../http/body.js";
import { Problem } from "../http/problem.js";
import { fieldError, type FieldError } from "../../shared/errors.js";
import {
  AnonymousResponseSchema,
  CredentialRequestSchema,
  InvitationLookupSchema,
  InviteeImportSchema,
  InviteeSchema,
  type CredentialIssued,
  type InvitationForm,
  type InvitationProgress,
  type InviteesImported,
} from "../../shared/api/invitations.js";
import type { Receipt } from "../../shared/api/responses.js";
import { findRound, type Round } from "../rounds/repository.js";
import { buildFormPayload } from "../rounds/service.js";
import { forgetRound } from "../responses/prepare.js";
import { prepareAnonymous } from "./anonymous-response.js";
import { audit } from "../accounts/audit.js";
import {
  findInvitation,
  insertInvitations,
  invitedPerAgency,
  listInvitations,
  openInvitation,
  openedCounts,
  responsesPerGroup,
  type NewInvitation,
} from "./repository.js";
import { blindSign, ensureCellKeys, fromBase64Url, publicKeyOf, requestHash, responseIdOf, toBase64Url, verifyCredential, type Cell } from "./credentials.js";
import { CsvFileError, parseCsv, toCsv, type CsvTable } from "../lib/csv.js";
import { isCsvRequest, readCsvBody } from "../http/csv-upload.js";

const invitationGone = () => new Problem("invitation_not_found");

const alreadyOpened = () => new Problem("invitation_opened");

async function roundFor(ctx: AppContext, id: string, user: Parameters<typeof canSeeRound>[0]): Promise<Round> {
  const round = await findRound(ctx.db.kysely, id);
  if (!round || !canSeeRound(user, id)) throw new Problem("round_not_found");
  return round;
}

/** The unit an agency's answers are published at: its province. */
async function publishedUnitOf(ctx: AppContext, agencyKey: string): Promise<string | null> {
  let unit = await ctx.units.get(agencyKey);
  while (unit && unit.level !== "province") unit = unit.parentKey ? await ctx.units.get(unit.parentKey) : null;
  return unit?.key ?? null;
}

/** Reads invitees from CSV (name,email,group,agency) or JSON ({invitees:[…]}); every bad row is reported. */
async function readInvitees(ctx: AppContext, round: Round, body: { csv?: string; json?: unknown }): Promise<NewInvitation[]> {
  let rows: unknown[];
  const lineOf: number[] = [];
  if (body.csv !== undefined) {
    let table: CsvTable;
    try {
      table = parseCsv(body.csv);
    } catch (error) {
      throw error instanceof CsvFileError ? error.problem() : error;
    }
    const column = (fields: string[], ...names: string[]) => {
      for (const name of names) if (table.columns.includes(name)) return fields[table.columns.indexOf(name)] ?? "";
      return "";
    };
    rows = table.records.map((r) => {
      lineOf.push(r.line);
      return {
        name: column(r.fields, "name"),
        email: column(r.fields, "email"),
        group: column(r.fields, "group"),
        agency: column(r.fields, "agency", "agency_code"),
      };
    });
  } else {
    const json = InviteeImportSchema.safeParse(body.json);
    if (!json.success) throw new Problem("invalid", [fieldError("invitees", "invalid_field")]);
    rows = json.data.invitees;
  }
  if (rows.length === 0) throw new Problem("invalid", [fieldError("invitees", "required")]);
  const errors: FieldError[] = [];
  const out: NewInvitation[] = [];
  for (const [i, raw] of rows.entries()) {
    const where = lineOf[i] !== undefined ? `line ${lineOf[i]}` : `invitees.${i}`;
    const parsed = InviteeSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors.push(fieldError(`${where}.${issue.path.join(".")}`, "invalid_field"));
      continue;
    }
    const { name, email, group, agency } = parsed.data;
    if (!round.groups.includes(group)) errors.push(fieldError(`${where}.group`, "group_not_allowed"));
    const agencyKey = agency.includes(":") ? agency : `${round.registry}:${agency.startsWith("A-") ? agency : `A-${agency}`}`;
    const unit = await ctx.units.get(agencyKey);
    const inScope = unit && unit.level === "agency" && (round.scope.length === 0 || round.scope.some((s) => ctx.units.isWithin(unit.key, s)));
    if (!inScope) errors.push(fieldError(`${where}.agency`, "unit_not_in_scope"));
    out.push({ name: name.normalize("NFC"), email: email.toLowerCase(), group, agencyKey });
  }
  if (errors.length) throw new Problem("invalid", errors);
  return out;
}

/**
 * The published cells of these invitees with the round's earlier ones, and an error for every
 * cell (group × province) with fewer invitees than the round's minimum cell size: a cell that
 * small would publish, or let a difference recover, the answers of one or two people.
 */
async function cellsChecked(ctx: AppContext, round: Round, invitees: NewInvitation[]): Promise<Cell[]> {
  const perCell = new Map<string, { cell: Cell; n: number }>();
  const add = async (group: string, agency: string, n: number) => {
    const unit = await publishedUnitOf(ctx, agency);
    if (!unit) throw new Problem("invalid", [fieldError("agency", "unit_not_in_scope")]);
    const key = `${group}\u0000${unit}`;
    const entry = perCell.get(key) ?? { cell: { round: round.id, group, unit }, n: 0 };
    entry.n += n;
    perCell.set(key, entry);
  };
  for (const earlier of await invitedPerAgency(ctx.db.kysely, round.id)) await add(earlier.group, earlier.agency, earlier.n);
  for (const i of invitees) await add(i.group, i.agencyKey, 1);
  const min = round.minCellSize;
  const errors: FieldError[] = [];
  for (const { cell, n } of perCell.values()) {
    if (n >= min) continue;
    const where = ctx.units.getCached(cell.unit)?.fullName ?? cell.unit;
    errors.push(
      fieldError(`cells.${cell.group}.${cell.unit}`, "invalid_field", {
        vi: `Nhóm "${cell.group}" ở ${where} chỉ có ${n} người được mời, ít hơn cỡ ô tối thiểu ${min}: câu trả lời của nhóm nhỏ như vậy có thể bị nhận ra. Hãy mời thêm, hoặc gộp nhóm này với nhóm khác, rồi nhập lại toàn bộ danh sách của ô.`,
        en: `Group "${cell.group}" in ${where} has only ${n} invitees, fewer than the minimum cell size ${min}: answers of so small a group could be recognised. Invite more people, or merge this group with another, then import the cell's whole list again.`,
      }),
    );
  }
  if (errors.length) throw new Problem("invalid", errors);
  return [...perCell.values()].map((e) => e.cell);
}

async function openInvitationFor(ctx: AppContext, token: string) {
  const invitation = await findInvitation(ctx.db.kysely, token);
  if (!invitation) throw invitationGone();
  const round = await findRound(ctx.db.kysely, invitation.round_id);
  if (!round?.modes.includes("invitation")) throw invitationGone();
  const unit = await publishedUnitOf(ctx, invitation.agency_key);
  if (!unit) throw invitationGone();
  return { invitation, round, cell: { round: round.id, group: invitation.group_code, unit } satisfies Cell };
}

export const invitationHandlers = {
  importInvitees: async (c: Context<AppEnv, "/:id">) => {
    const ctx = c.var.ctx;
    const round = await roundFor(ctx, c.req.param("id"), currentUser(c));
    if (!round.modes.includes("invitation")) throw new Problem("round_without_invitations");
    // CSV bytes are decoded as every import's are (UTF-8, UTF-16 with BOM, Vietnamese Windows-1258).
    const body = isCsvRequest(c) ? { csv: await readCsvBody(c) } : { json: await readJson(c) };
    const invitees = await readInvitees(ctx, round, body);
    const cells = await cellsChecked(ctx, round, invitees);
    await ensureCellKeys(ctx.db.kysely, cells);
    const rows = await ctx.db.kysely.transaction().execute((trx) => insertInvitations(trx, round.id, invitees));
    await audit(ctx.db.kysely, currentUser(c).username, "invitations.import", round.id, { count: rows.length });
    return c.json({ imported: rows.length } satisfies InviteesImported, 201);
  },

  /** Links for mail merge (all, or only those not yet opened: reminders). UTF-8 with BOM for Excel; names formula-guarded. */
  links: async (c: Context<AppEnv, "/:id">) => {
    const ctx = c.var.ctx;
    const round = await roundFor(ctx, c.req.param("id"), currentUser(c));
    const rows = await listInvitations(ctx.db.kysely, round.id, c.req.query("pending") === "1");
    const base = (process.env.CHISO_PUBLIC_URL ?? new URL(c.req.url).origin).replace(/\/$/, "");
    const csv = toCsv(
      ["name", "email", "group", "agency", "agency_name", "opened", "link"],
      rows.map((r) => [
        r.name,
        r.email,
        r.group_code,
        r.agency_key,
        ctx.units.getCached(r.agency_key)?.fullName ?? "",
        r.opened ? "yes" : "no",
        `${base}/i/#${r.token}`,
      ]),
    );
    await audit(ctx.db.kysely, currentUser(c).username, "invitations.export-links", round.id, { count: rows.length });
    return c.body(csv, 200, { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${round.id}-invitations.csv"` });
  },

  /** What can honestly be known: per invitee "opened", per group the number of responses. */
  progress: async (c: Context<AppEnv, "/:id">) => {
    const ctx = c.var.ctx;
    const round = await roundFor(ctx, c.req.param("id"), currentUser(c));
    const opened = await openedCounts(ctx.db.kysely, round.id);
    const responses = await responsesPerGroup(ctx.db.kysely, round.id);
    const groups = opened.map((g) => ({ ...g, responses: responses.get(g.group) ?? 0 }));
    const total = groups.reduce((s, g) => ({ invited: s.invited + g.invited, opened: s.opened + g.opened, responses: s.responses + g.responses }), {
      invited: 0,
      opened: 0,
      responses: 0,
    });
    const invitees = (await listInvitations(ctx.db.kysely, round.id)).map((r) => ({
      name: r.name,
      email: r.email,
      group: r.group_code,
      agency: r.agency_key,
      agencyName: ctx.units.getCached(r.agency_key)?.fullName ?? r.agency_key,
      opened: r.opened,
    }));
    return c.json({ total, groups, invitees, minCellSize: round.minCellSize } satisfies InvitationProgress);
  },

  /** The invitee's form and the cell's public key; a token that is not valid is told so plainly. */
  lookup: async (c: Context<AppEnv>) => {
    const ctx = c.var.ctx;
    const { token } = parseWith(InvitationLookupSchema, await readJson(c));
    const { invitation, round, cell } = await openInvitationFor(ctx, token);
    const publicKey = await publicKeyOf(ctx.db.kysely, cell);
    if (!publicKey) throw invitationGone();
    const form = await buildFormPayload(ctx, round);
    const unit = await ctx.units.get(cell.unit);
    const payload: InvitationForm = {
      ...form,
      groups: form.groups.filter((g) => g.code === cell.group),
      fixedUnit: { key: cell.unit, name: unit?.fullName ?? cell.unit },
      invitee: { name: invitation.name },
      cell,
      publicKey,
      opened: invitation.opened,
      minCellSize: round.minCellSize,
    };
    return c.json(payload);
  },

  /** One blind signature per invitation; the same blinded message again gets the same signature. */
  credential: async (c: Context<AppEnv>) => {
    const ctx = c.var.ctx;
    const { token, blindedMessage } = parseWith(CredentialRequestSchema, await readJson(c));
    const { invitation, round, cell } = await openInvitationFor(ctx, token);
    if (round.status !== "open") throw new Problem("round_not_open");
    const blinded = fromBase64Url(blindedMessage);
    if (blinded.length !== 256) throw new Problem("invalid", [fieldError("blindedMessage", "invalid_field")]);
    // Sign first: a message the key cannot sign must not open the invitation.
    let signature: Uint8Array;
    try {
      signature = await blindSign(ctx.db.kysely, cell, blinded);
    } catch {
      throw new Problem("invalid", [fieldError("blindedMessage", "invalid_field")]);
    }
    const outcome = await openInvitation(ctx.db, invitation.token, round.id, requestHash(blinded));
    if (outcome === "refused") throw alreadyOpened();
    return c.json({ blindSignature: toBase64Url(signature) } satisfies CredentialIssued);
  },

  /** An anonymous answer: verified by its credential, stored once; never names the invitation. */
  respond: async (c: Context<AppEnv>) => {
    const ctx = c.var.ctx;
    const sent = parseWith(AnonymousResponseSchema, await readJson(c, { refuseControlCharacters: false }));
    forgetRound(sent.round);
    const round = await findRound(ctx.db.kysely, sent.round);
    if (!round?.modes.includes("invitation")) throw new Problem("round_not_found");
    const cell: Cell = { round: round.id, group: sent.group, unit: sent.unit };
    const message = fromBase64Url(sent.credential.message);
    if (!(await verifyCredential(ctx.db.kysely, cell, message, fromBase64Url(sent.credential.signature)))) {
      throw new Problem("invalid", [
        fieldError("credential", "invalid_field", {
          vi: "Phiếu không kèm chứng nhận hợp lệ của thư mời cho nhóm và đơn vị này.",
          en: "The response does not carry a valid invitation credential for this group and unit.",
        }),
      ]);
    }
    // The credential is the response's id: the primary key spends it once, under any concurrency.
    const prepared = await prepareAnonymous(ctx, round.id, {
      id: responseIdOf(round.id, message),
      instrument: sent.instrument,
      unit: cell.unit,
      group: cell.group,
      answers: sent.answers,
    });
    const outcome = await ctx.store.store(prepared);
    if (outcome.status === "conflict" || outcome.status === "token_used") {
      throw new Problem("credential_used");
    }
    return c.json({ id: outcome.id, receipt: outcome.receipt, status: outcome.status } satisfies Receipt, outcome.status === "stored" ? 201 : 200);
  },
};
