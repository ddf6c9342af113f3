/**
 * The leader survey's invitations. Administrators import invitees and export their links; an
 * invitee opens /i/<token>, answers once, and the token is marked used in the same transaction
 * that stores the response — with nothing that links the two (see docs/anonymity.md).
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv, AppContext } from "../app-context.js";
import { allow, canSeeRound, currentUser } from "../http/access.js";
import { readJson } from "../http/body.js";
import { Problem } from "../http/problem.js";
import { publicRateLimit } from "../http/rate-limit.js";
import { fieldError, type FieldError } from "../../shared/errors.js";
import { findRound, type Round } from "../rounds/repository.js";
import { buildFormPayload } from "../rounds/routes.js";
import { prepareSubmission, forgetRound } from "../responses/prepare.js";
import { audit } from "../accounts/audit.js";
import { completion, findInvitation, insertInvitations, listInvitations, type NewInvitation } from "./repository.js";
import { CsvFileError, parseCsv, toCsv, type CsvTable } from "../lib/csv.js";
import { isCsvRequest, readCsvBody } from "../http/csv-upload.js";

const InviteeSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    email: z.string().trim().email().max(200),
    group: z.string().min(1),
    agency: z.string().min(1),
  })
  .strict();

function invitationGone(): Problem {
  return new Problem("not_found", undefined, undefined, {
    vi: "Đường dẫn mời không hợp lệ hoặc đã bị hủy.",
    en: "This invitation link is not valid or was withdrawn.",
  });
}

function tokenUsed(): Problem {
  return new Problem("token_used", undefined, undefined, {
    vi: "Thư mời này đã được dùng để trả lời. Mỗi người được mời chỉ trả lời một lần. Xin cảm ơn!",
    en: "This invitation has already been used to answer. Each invitee answers once. Thank you!",
  });
}

async function roundFor(ctx: AppContext, id: string, user: Parameters<typeof canSeeRound>[0]): Promise<Round> {
  const round = await findRound(ctx.db.kysely, id);
  if (!round || !canSeeRound(user, id)) throw new Problem("round_not_found");
  return round;
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
      return { name: column(r.fields, "name"), email: column(r.fields, "email"), group: column(r.fields, "group"), agency: column(r.fields, "agency", "agency_code") };
    });
  } else {
    const json = z.object({ invitees: z.array(z.unknown()).min(1).max(20_000) }).strict().safeParse(body.json);
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

export function invitationRoutes() {
  const app = new Hono<AppEnv>();

  app.post("/rounds/:id/invitations", allow(["admin"]), async (c) => {
    const ctx = c.var.ctx;
    const round = await roundFor(ctx, c.req.param("id"), currentUser(c));
    if (!round.modes.includes("invitation")) throw new Problem("bad_request", undefined, undefined, { vi: "Đợt khảo sát này không dùng thư mời.", en: "This round does not use invitations." });
    // CSV bytes are decoded as every import's are (UTF-8, UTF-16 with BOM, Vietnamese Windows-1258).
    const body = isCsvRequest(c) ? { csv: await readCsvBody(c) } : { json: await readJson(c) };
    const invitees = await readInvitees(ctx, round, body);
    const rows = await ctx.db.kysely.transaction().execute((trx) => insertInvitations(trx, round.id, invitees));
    await audit(ctx.db.kysely, currentUser(c).username, "invitations.import", round.id, { count: rows.length });
    return c.json({ imported: rows.length }, 201);
  });

  /** Links for mail merge (all, or only those who have not answered: reminders). UTF-8 with BOM for Excel; names formula-guarded. */
  app.get("/rounds/:id/invitations/links.csv", allow(["admin"]), async (c) => {
    const ctx = c.var.ctx;
    const round = await roundFor(ctx, c.req.param("id"), currentUser(c));
    const rows = await listInvitations(ctx.db.kysely, round.id, c.req.query("pending") === "1");
    const base = (process.env.CHISO_PUBLIC_URL ?? new URL(c.req.url).origin).replace(/\/$/, "");
    const csv = toCsv(
      ["name", "email", "group", "agency", "agency_name", "answered", "link"],
      rows.map((r) => [r.name, r.email, r.group_code, r.agency_key, ctx.units.getCached(r.agency_key)?.fullName ?? "", r.used_on ? "yes" : "no", `${base}/i/${r.token}`]),
    );
    await audit(ctx.db.kysely, currentUser(c).username, "invitations.export-links", round.id, { count: rows.length });
    return c.body(csv, 200, { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${round.id}-invitations.csv"` });
  });

  /** Completion per group and agency, and who has not answered yet (for reminders). */
  app.get("/rounds/:id/invitations/progress", allow(["admin"]), async (c) => {
    const ctx = c.var.ctx;
    const round = await roundFor(ctx, c.req.param("id"), currentUser(c));
    const cells = await completion(ctx.db.kysely, round.id);
    const byGroup = new Map<string, { group: string; invited: number; answered: number }>();
    for (const cell of cells) {
      const g = byGroup.get(cell.group) ?? { group: cell.group, invited: 0, answered: 0 };
      g.invited += cell.invited;
      g.answered += cell.answered;
      byGroup.set(cell.group, g);
    }
    const rate = (x: { invited: number; answered: number }) => (x.invited ? x.answered / x.invited : 0);
    const total = cells.reduce((s, x) => ({ invited: s.invited + x.invited, answered: s.answered + x.answered }), { invited: 0, answered: 0 });
    const pending = await listInvitations(ctx.db.kysely, round.id, true);
    return c.json({
      total: { ...total, rate: rate(total) },
      groups: [...byGroup.values()].map((g) => ({ ...g, rate: rate(g) })),
      agencies: cells.map((x) => ({ ...x, agencyName: ctx.units.getCached(x.agency)?.fullName ?? x.agency, rate: rate(x) })),
      notAnswered: pending.map((p) => ({ name: p.name, email: p.email, group: p.group_code, agency: p.agency_key })),
    });
  });

  /** What the invitee's form needs; a used token is told so plainly. */
  app.get("/invitations/:token", allow("token"), async (c) => {
    const ctx = c.var.ctx;
    const invitation = await findInvitation(ctx.db.kysely, c.req.param("token"));
    if (!invitation) throw invitationGone();
    if (invitation.used_on) throw tokenUsed();
    const round = await findRound(ctx.db.kysely, invitation.round_id);
    if (!round) throw invitationGone();
    const form = await buildFormPayload(ctx, round);
    const agency = await ctx.units.get(invitation.agency_key);
    return c.json({
      ...form,
      groups: form.groups.filter((g) => g.code === invitation.group_code),
      fixedUnit: agency ? { key: agency.key, name: agency.fullName } : null,
      invitee: { name: invitation.name },
    });
  });

  app.post("/invitations/:token/response", allow("token"), publicRateLimit(), async (c) => {
    const ctx = c.var.ctx;
    const token = c.req.param("token");
    const body = await readJson(c);
    const invitation = await findInvitation(ctx.db.kysely, token);
    if (!invitation) throw invitationGone();
    forgetRound(invitation.round_id);
    const round = await findRound(ctx.db.kysely, invitation.round_id);
    if (!round?.modes.includes("invitation")) throw invitationGone();
    // The invitation decides the unit and group; the form shows them fixed.
    const submission = typeof body === "object" && body ? { ...(body as Record<string, unknown>), unit: invitation.agency_key, group: invitation.group_code, channel: "invitation" } : body;
    const prepared = await prepareSubmission(ctx, round.id, submission, { allowedChannels: ["invitation"], blurTimes: true });
    prepared.claim = { token, day: new Date().toISOString().slice(0, 10) };
    const outcome = await ctx.store.store(prepared);
    if (outcome.status === "token_used") throw tokenUsed();
    if (outcome.status === "conflict") throw new Problem("duplicate_conflict");
    return c.json({ id: outcome.id, receipt: outcome.receipt, status: outcome.status }, outcome.status === "stored" ? 201 : 200);
  });

  return app;
}
