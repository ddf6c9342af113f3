/** Table types for Kysely: the database schema as the application sees it (see migrations/ for DDL). */
import type { Generated } from "kysely";

export interface InstrumentEditionTable {
  edition_id: string;
  version: string;
  family: string;
  year: number;
  title_vi: string;
  title_en: string;
  /** sha256 of the canonical JSON of instrument + index: a published edition never changes. */
  content_hash: string;
  instrument_json: string;
  index_json: string | null;
  imported_at: string;
  /** The composite PAR INDEX of a self-assessment edition (par-index.json); null for surveys. */
  par_index_json: string | null;
}

export interface UnitRegistryTable {
  id: string;
  label: string;
  valid_from: string;
  valid_to: string | null;
}

export interface UnitTable {
  key: string;
  registry: string;
  code: string;
  level: string;
  name: string;
  full_name: string;
  type: string;
  name_en: string | null;
  /** Lower-case, no diacritics: what unit search matches against. */
  name_folded: string;
  /** JSON array of earlier names of the same unit (e.g. "Thừa Thiên Huế"), searchable. */
  former_names: string | null;
  parent_key: string | null;
  valid_from: string;
  valid_to: string | null;
}

export interface UnitCrosswalkTable {
  from_key: string;
  to_key: string;
  level: string;
  kind: string;
}

export interface RoundTable {
  id: string;
  title_vi: string;
  title_en: string;
  edition_id: string;
  edition_version: string;
  status: string;
  period_start: string | null;
  period_end: string | null;
  registry: string;
  /** JSON arrays: unit keys whose subtrees are in scope (empty = whole registry), groups, modes. */
  scope_json: string;
  groups_json: string;
  modes_json: string;
  min_cell_size: number;
  created_at: string;
}

export interface RoundTargetTable {
  round_id: string;
  unit_key: string;
  group_code: string;
  target: number;
}

export interface ResponseTable {
  id: string;
  round_id: string;
  edition_id: string;
  edition_version: string;
  unit_key: string;
  group_code: string;
  channel: string;
  device_id: string | null;
  enumerator_id: string | null;
  started_at: string | null;
  submitted_at: string | null;
  /** Day the server stored it (YYYY-MM-DD): progress by day without a finer timestamp. */
  received_on: string;
  /** When the server received it (ISO, UTC); null for anonymous responses (day only) and older rows. */
  received_at?: string | null;
  /** Device clock minus server clock at sync, in seconds; null when not measured. */
  clock_offset_s?: number | null;
  /** Why the device's times need a look (space-separated reasons), or null. */
  time_review?: string | null;
  status: string;
  weight: number | null;
  payload_json: string;
  content_hash: string;
  receipt_code: string;
}

export interface AnswerTable {
  response_id: string;
  question_id: string;
  /** Position among the codes of a multiple-choice answer; 0 otherwise. */
  seq: number;
  code: string | null;
  num: number | null;
  text: string | null;
}

export interface RollupTable {
  round_id: string;
  unit_key: string;
  group_code: string;
  question_id: string;
  code: string;
  n: number;
  w: number;
  w2: number;
}

export type RoundRollupTable = Omit<RollupTable, "unit_key">;

export interface CellTotalTable {
  round_id: string;
  unit_key: string;
  group_code: string;
  n: number;
  w: number;
  w2: number;
}

export interface UserTable {
  id: string;
  username: string;
  display_name: string;
  role: string;
  password_hash: string;
  disabled: number;
  /** JSON arrays: unit keys whose subtrees the user may see or collect in (empty = all); round ids (empty = all). */
  unit_scope_json: string;
  rounds_json: string;
  created_at: string;
  /** 1: the password was generated or reset by an administrator and must be changed before anything else. */
  must_change_password: number;
}

export interface SessionTable {
  token_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  /** Last request made with the session (idle timeout); null until its first use. */
  last_seen_at: string | null;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  window_start: string;
  locked_until: string | null;
}

export interface DeviceTokenTable {
  id: string;
  token_hash: string;
  user_id: string;
  label: string;
  created_at: string;
  revoked_at: string | null;
  /** Refreshed on use; a device unused for its whole lifetime stops working. */
  expires_at: string | null;
}

/** A read-only API token of an analyst (migration 0011); only its hash is stored. */
export interface ApiTokenTable {
  id: string;
  token_hash: string;
  user_id: string;
  label: string;
  created_at: string;
  /** Required: every token ends (at most API_TOKEN_MAX_DAYS after it was made). */
  expires_at: string;
  revoked_at: string | null;
  /** Username of who revoked it (the owner or an administrator). */
  revoked_by: string | null;
  /** Refreshed at most once an hour. */
  last_used_at: string | null;
}

export interface InvitationTable {
  token: string;
  round_id: string;
  name: string;
  email: string;
  group_code: string;
  agency_key: string;
  imported_on: string;
  /** Retired (0007): always null; no time of use is kept. */
  used_on: string | null;
}

/**
 * The opened invitations of a round, as one row rewritten whole at each opening (migration 0010):
 * JSON object token → sha256 of the blinded message signed for it (base64url; null for an
 * invitation opened before that was kept), keys sorted. No invitee row changes when it is opened.
 */
export interface InvitationOpeningsTable {
  round_id: string;
  opened: string;
}

/** One blind-signature key pair per published cell of an invitation round (migration 0007). */
export interface CredentialKeyTable {
  round_id: string;
  group_code: string;
  unit_key: string;
  public_key: string;
  private_key: string;
}

export interface AuditLogTable {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  detail_json: string | null;
}

/** A PAR INDEX self-assessment: one per round, assessed unit and group (tu-danh-gia | tham-dinh). */
export interface AssessmentTable {
  id: string;
  round_id: string;
  unit_key: string;
  group_code: string;
  status: string;
  version: number;
  return_reason: string | null;
  created_at: string;
  updated_at: string;
  updated_by: string;
}

export interface AssessmentAnswerTable {
  assessment_id: string;
  question_id: string;
  value_json: string;
  version: number;
  num: number | null;
  updated_at: string;
  updated_by: string;
}

/** Where an assessed unit's S and C values come from, and A scores entered directly, per group. */
export interface ParInputsTable {
  round_id: string;
  unit_key: string;
  survey_json: string | null;
  sipas_json: string | null;
  given_json: string;
  version: number;
  updated_at: string;
  updated_by: string;
}

/** The agencies (codes of a par-index definition) whose evidence a department's account enters. */
export interface ParAgencyMemberTable {
  user_id: string;
  agency_code: string;
}

/** A round's sampling design as JSON (migration 0012; shared/api/design.ts). */
export interface RoundDesignTable {
  round_id: string;
  design_json: string;
  updated_at: string;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface Database {
  instrument_editions: InstrumentEditionTable;
  unit_registries: UnitRegistryTable;
  units: UnitTable;
  unit_crosswalk: UnitCrosswalkTable;
  rounds: RoundTable;
  round_targets: RoundTargetTable;
  round_designs: RoundDesignTable;
  responses: ResponseTable;
  answers: AnswerTable;
  rollups: RollupTable;
  round_rollups: RoundRollupTable;
  cell_totals: CellTotalTable;
  meta: MetaTable;
  users: UserTable;
  sessions: SessionTable;
  login_throttle: LoginThrottleTable;
  device_tokens: DeviceTokenTable;
  api_tokens: ApiTokenTable;
  invitations: InvitationTable;
  invitation_openings: InvitationOpeningsTable;
  credential_keys: CredentialKeyTable;
  audit_log: AuditLogTable;
  assessments: AssessmentTable;
  assessment_answers: AssessmentAnswerTable;
  par_inputs: ParInputsTable;
  par_agency_members: ParAgencyMemberTable;
}

export type { Generated };
