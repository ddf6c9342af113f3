/**
 * The SQL of the PAR INDEX: self-assessments with their status and one row per answered question,
 * and each assessed unit's S, C and given inputs. Every save and transition is one transaction with
 * its audit_log row; versions make concurrent editors conflict (409) instead of overwriting.
 */
import { randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { AssessmentTable, Database } from "../db/types.js";
import type { Answers, AnswerValue } from "../../shared/instrument/schema.js";
import type { AssessmentGroup, AssessmentStatus, ParInputsBody, ParSourceInput, Transition } from "../../shared/api/par-index.js";
import { fieldError, type FieldError } from "../../shared/errors.js";
import { audit } from "../accounts/audit.js";
import { Problem } from "../http/problem.js";

export interface Assessment {
  id: string;
  round: string;
  unit: string;
  group: AssessmentGroup;
  status: AssessmentStatus;
  version: number;
  returnReason: string | null;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
  answers: Answers;
  /** The assessment version each answer was last written at, and by whom. */
  answered: Record<string, { version: number; by: string; at: string }>;
}

const toAssessment = (row: AssessmentTable): Omit<Assessment, "answers" | "answered"> => ({
  id: row.id,
  round: row.round_id,
  unit: row.unit_key,
  group: row.group_code as AssessmentGroup,
  status: row.status as AssessmentStatus,
  version: Number(row.version),
  returnReason: row.return_reason,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  updatedBy: row.updated_by,
});

const findRow = (db: Kysely<Database>, round: string, unit: string, group: string) =>
  db.selectFrom("assessments").selectAll().where("round_id", "=", round).where("unit_key", "=", unit).where("group_code", "=", group).executeTakeFirst();

export async function getAssessment(db: Kysely<Database>, round: string, unit: string, group: string): Promise<Assessment | null> {
  const row = await findRow(db, round, unit, group);
  if (!row) return null;
  const answers: Answers = {};
  const answered: Assessment["answered"] = {};
  const rows = await db.selectFrom("assessment_answers").selectAll().where("assessment_id", "=", row.id).orderBy("question_id").execute();
  for (const a of rows) {
    answers[a.question_id] = JSON.parse(a.value_json) as AnswerValue;
    answered[a.question_id] = { version: Number(a.version), by: a.updated_by, at: a.updated_at };
  }
  return { ...toAssessment(row), answers, answered };
}

/** Every assessment of a round (no answers): status per unit and group. */
export async function listAssessments(db: Kysely<Database>, round: string) {
  const rows = await db.selectFrom("assessments").selectAll().where("round_id", "=", round).orderBy("unit_key").orderBy("group_code").execute();
  return rows.map(toAssessment);
}

const conflict = (detail: unknown, errors?: FieldError[]) => new Problem("assessment_conflict", errors, detail);

export interface SaveEvidence {
  round: string;
  unit: string;
  group: AssessmentGroup;
  version: number;
  answers: Record<string, AnswerValue | null>;
  actor: string;
  /** Checks the answers as they will be stored (all of them), inside the transaction. */
  validate(merged: Answers): FieldError[];
  /** The TCTP codes whose evidence a question is, for the audit log. */
  leavesOf(question: string): string[];
}

/**
 * Saves some answers of a draft assessment (creating it at version 0). A question changed by someone
 * else after `version` is a conflict; questions nobody else touched are merged, so departments
 * entering their own TCTP at the same time do not overwrite each other.
 */
export async function saveEvidence(db: Kysely<Database>, input: SaveEvidence): Promise<Assessment> {
  await db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    let row = await findRow(trx, input.round, input.unit, input.group);
    if (!row) {
      await trx
        .insertInto("assessments")
        .values({
          id: randomUUID(),
          round_id: input.round,
          unit_key: input.unit,
          group_code: input.group,
          status: "draft",
          version: 0,
          return_reason: null,
          created_at: now,
          updated_at: now,
          updated_by: input.actor,
        })
        .onConflict((oc) => oc.columns(["round_id", "unit_key", "group_code"]).doNothing())
        .execute();
      row = (await findRow(trx, input.round, input.unit, input.group))!;
    }
    // Taking the row first serializes concurrent saves of one assessment (a row lock on PostgreSQL).
    const locked = await trx
      .updateTable("assessments")
      .set((eb) => ({ version: eb("version", "+", 1), updated_at: now, updated_by: input.actor }))
      .where("id", "=", row.id)
      .returning(["version", "status"])
      .executeTakeFirstOrThrow();
    const previous = Number(locked.version) - 1;
    if (locked.status !== "draft") {
      throw new Problem(
        "assessment_locked",
        undefined,
        { status: locked.status },
        {
          vi: `Báo cáo đang ở trạng thái "${locked.status}": chỉ sửa được khi là bản nháp (hoặc sau khi Sở Nội vụ trả lại).`,
          en: `The assessment is "${locked.status}": it can be edited only as a draft (or after it is returned).`,
        },
      );
    }
    if (input.version > previous) throw conflict({ version: input.version, current: previous });
    const stored = await trx.selectFrom("assessment_answers").selectAll().where("assessment_id", "=", row.id).execute();
    const byQuestion = new Map(stored.map((a) => [a.question_id, a]));
    const changed = Object.keys(input.answers).filter((q) => {
      const s = byQuestion.get(q);
      return s !== undefined && Number(s.version) > input.version;
    });
    if (changed.length) {
      const errors = changed.map((q) =>
        fieldError(`answers.${q}`, "assessment_conflict", {
          vi: `Câu "${q}" đã được ${byQuestion.get(q)!.updated_by} sửa sau khi bạn mở báo cáo.`,
          en: `Question "${q}" was changed by ${byQuestion.get(q)!.updated_by} after you opened the assessment.`,
        }),
      );
      throw conflict({ version: input.version, current: previous, questions: changed }, errors);
    }
    const merged: Answers = Object.fromEntries(stored.map((a) => [a.question_id, JSON.parse(a.value_json) as AnswerValue]));
    for (const [q, v] of Object.entries(input.answers)) {
      if (v === null) delete merged[q];
      else merged[q] = v;
    }
    const errors = input.validate(merged);
    if (errors.length) throw new Problem("invalid", errors);
    const version = Number(locked.version);
    for (const [q, v] of Object.entries(input.answers)) {
      if (v === null) {
        await trx.deleteFrom("assessment_answers").where("assessment_id", "=", row.id).where("question_id", "=", q).execute();
        continue;
      }
      const values = { value_json: JSON.stringify(v), version, num: typeof v === "number" ? v : null, updated_at: now, updated_by: input.actor };
      await trx
        .insertInto("assessment_answers")
        .values({ assessment_id: row.id, question_id: q, ...values })
        .onConflict((oc) => oc.columns(["assessment_id", "question_id"]).doUpdateSet(values))
        .execute();
    }
    const questions = Object.keys(input.answers).sort();
    await audit(trx, input.actor, "par.assessment.save", cellName(input), {
      from: "draft",
      to: "draft",
      version,
      questions,
      tctp: [...new Set(questions.flatMap(input.leavesOf))].sort(),
    });
  });
  return (await getAssessment(db, input.round, input.unit, input.group))!;
}

const cellName = (c: { round: string; unit: string; group: string }) => `${c.round}/${c.unit}/${c.group}`;

/** draft → submitted → reviewed; `return` sends a submitted or reviewed assessment back to draft with a reason. */
const TRANSITIONS: Record<Transition["action"], { from: AssessmentStatus[]; to: AssessmentStatus }> = {
  submit: { from: ["draft"], to: "submitted" },
  review: { from: ["submitted"], to: "reviewed" },
  return: { from: ["submitted", "reviewed"], to: "draft" },
};

export async function transitionAssessment(
  db: Kysely<Database>,
  cell: { round: string; unit: string; group: AssessmentGroup },
  body: Transition,
  actor: string,
): Promise<Assessment> {
  const rule = TRANSITIONS[body.action];
  if (body.action === "return" && !body.reason) {
    throw new Problem("invalid", [fieldError("reason", "required", { vi: "Cần ghi lý do trả lại.", en: "Give the reason for returning it." })]);
  }
  await db.transaction().execute(async (trx) => {
    const row = await findRow(trx, cell.round, cell.unit, cell.group);
    if (!row) {
      throw new Problem("not_found", undefined, cellName(cell), {
        vi: "Chưa có báo cáo tự đánh giá cho đơn vị và nhóm này.",
        en: "There is no self-assessment for this unit and group yet.",
      });
    }
    if (Number(row.version) !== body.version) throw conflict({ version: body.version, current: Number(row.version) });
    if (!rule.from.includes(row.status as AssessmentStatus)) {
      throw new Problem(
        "assessment_locked",
        undefined,
        { status: row.status, action: body.action },
        {
          vi: `Không thể "${body.action}" báo cáo đang ở trạng thái "${row.status}" (cần: ${rule.from.join(", ")}).`,
          en: `Cannot "${body.action}" an assessment that is "${row.status}" (needs: ${rule.from.join(", ")}).`,
        },
      );
    }
    const now = new Date().toISOString();
    const result = await trx
      .updateTable("assessments")
      .set({
        status: rule.to,
        version: Number(row.version) + 1,
        return_reason: body.action === "return" ? body.reason! : null,
        updated_at: now,
        updated_by: actor,
      })
      .where("id", "=", row.id)
      .where("version", "=", body.version)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw conflict({ version: body.version });
    await audit(trx, actor, `par.assessment.${body.action}`, cellName(cell), {
      from: row.status,
      to: rule.to,
      version: Number(row.version) + 1,
      ...(body.reason ? { reason: body.reason } : {}),
    });
  });
  return (await getAssessment(db, cell.round, cell.unit, cell.group))!;
}

// ---------------------------------------------------------------- inputs: S and C sources, given A scores

export interface ParInputs {
  round: string;
  unit: string;
  survey: ParSourceInput | null;
  sipas: ParSourceInput | null;
  given: Partial<Record<AssessmentGroup, Record<string, number>>>;
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

export async function getInputs(db: Kysely<Database> | Transaction<Database>, round: string, unit: string): Promise<ParInputs> {
  const row = await db.selectFrom("par_inputs").selectAll().where("round_id", "=", round).where("unit_key", "=", unit).executeTakeFirst();
  if (!row) return { round, unit, survey: null, sipas: null, given: {}, version: 0, updatedAt: null, updatedBy: null };
  return {
    round,
    unit,
    survey: row.survey_json ? (JSON.parse(row.survey_json) as ParSourceInput) : null,
    sipas: row.sipas_json ? (JSON.parse(row.sipas_json) as ParSourceInput) : null,
    given: JSON.parse(row.given_json) as ParInputs["given"],
    version: Number(row.version),
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

/** Units of a round with any stored assessment or input: the units "entered", ranked among each other. */
export async function enteredUnits(db: Kysely<Database>, round: string): Promise<string[]> {
  const a = await db.selectFrom("assessments").select("unit_key").distinct().where("round_id", "=", round).execute();
  const b = await db.selectFrom("par_inputs").select("unit_key").where("round_id", "=", round).execute();
  return [...new Set([...a, ...b].map((r) => r.unit_key))].sort();
}

export async function putInputs(db: Kysely<Database>, round: string, unit: string, body: ParInputsBody, actor: string): Promise<ParInputs> {
  await db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    const values = {
      survey_json: body.survey ? JSON.stringify(body.survey) : null,
      sipas_json: body.sipas ? JSON.stringify(body.sipas) : null,
      given_json: JSON.stringify(body.given),
      version: body.version + 1,
      updated_at: now,
      updated_by: actor,
    };
    let written: number;
    if (body.version === 0) {
      const r = await trx
        .insertInto("par_inputs")
        .values({ round_id: round, unit_key: unit, ...values })
        .onConflict((oc) => oc.columns(["round_id", "unit_key"]).doNothing())
        .executeTakeFirst();
      written = Number(r.numInsertedOrUpdatedRows ?? 0);
    } else {
      const r = await trx
        .updateTable("par_inputs")
        .set(values)
        .where("round_id", "=", round)
        .where("unit_key", "=", unit)
        .where("version", "=", body.version)
        .executeTakeFirst();
      written = Number(r.numUpdatedRows);
    }
    if (written !== 1) throw conflict({ version: body.version, current: (await getInputs(trx, round, unit)).version });
    await audit(trx, actor, "par.inputs.set", `${round}/${unit}`, {
      version: body.version + 1,
      survey: body.survey,
      sipas: body.sipas,
      given: Object.fromEntries(Object.entries(body.given).map(([g, v]) => [g, Object.keys(v ?? {}).length])),
    });
  });
  return getInputs(db, round, unit);
}

// ---------------------------------------------------------------- department accounts

/** Agency codes an account enters evidence for; empty: not a department account (Sở Nội vụ, administrators). */
export async function agenciesOf(db: Kysely<Database>, userId: string): Promise<string[]> {
  const rows = await db.selectFrom("par_agency_members").select("agency_code").where("user_id", "=", userId).orderBy("agency_code").execute();
  return rows.map((r) => r.agency_code);
}

export async function setAgencies(db: Kysely<Database>, user: { id: string; username: string }, agencies: string[], actor: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await agenciesOf(trx, user.id);
    await trx.deleteFrom("par_agency_members").where("user_id", "=", user.id).execute();
    if (agencies.length)
      await trx
        .insertInto("par_agency_members")
        .values(agencies.map((a) => ({ user_id: user.id, agency_code: a })))
        .execute();
    await audit(trx, actor, "par.agencies.set", user.username, { from: before, to: agencies });
  });
}

/** Every account bound to agencies, with its agencies: the administration screen's list. */
export async function listAgencyMembers(
  db: Kysely<Database>,
): Promise<Array<{ username: string; displayName: string; role: string; disabled: boolean; agencies: string[] }>> {
  const rows = await db
    .selectFrom("par_agency_members")
    .innerJoin("users", "users.id", "par_agency_members.user_id")
    .select(["users.username", "users.display_name", "users.role", "users.disabled", "par_agency_members.agency_code"])
    .orderBy("users.username")
    .orderBy("par_agency_members.agency_code")
    .execute();
  const byUser = new Map<string, { username: string; displayName: string; role: string; disabled: boolean; agencies: string[] }>();
  for (const r of rows) {
    const entry = byUser.get(r.username) ?? {
      username: r.username,
      displayName: r.display_name,
      role: r.role,
      disabled: Boolean(Number(r.disabled)),
      agencies: [],
    };
    entry.agencies.push(r.agency_code);
    byUser.set(r.username, entry);
  }
  return [...byUser.values()];
}
