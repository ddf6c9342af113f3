/**
 * What the API reference says about each route: a summary in Vietnamese and English, and the zod
 * schemas that validate its request and response. Who may call a route is not restated here: the
 * document takes it from the route's own `allow(...)` declaration. test/server/openapi.test.ts fails
 * when a route of the app has no entry, or an entry has no route.
 *
 * `missing` marks a payload that has no shared schema yet: the document says so instead of
 * inventing one, and the list of such payloads is the work left (docs/api.md, "Coverage").
 */
import type { z } from "zod";
import type { Text } from "../../shared/i18n.js";
import { SubmissionSchema, SyncBatchSchema } from "../../shared/api/schemas.js";
import {
  AnonymousResponseSchema,
  CredentialIssuedSchema,
  CredentialRequestSchema,
  InvitationFormSchema,
  InvitationLookupSchema,
  InvitationProgressSchema,
  InviteeImportSchema,
  InviteesImportedSchema,
} from "../../shared/api/invitations.js";
import {
  AccountListSchema,
  AccountReplySchema,
  AuditListSchema,
  ChangePasswordSchema,
  DeviceCreatedSchema,
  DeviceListSchema,
  LoginReplySchema,
  LoginSchema,
  NewDeviceSchema,
  NewUserSchema,
  OkSchema,
  ResetPasswordSchema,
  UserDisabledSchema,
  WhoAmISchema,
} from "../../shared/api/accounts.js";
import { EditionDetailSchema, EditionListSchema, XlsformImportedSchema } from "../../shared/api/instruments.js";
import { OfflinePackageSchema } from "../../shared/api/offline.js";
import { ReceiptSchema, SyncReplySchema } from "../../shared/api/responses.js";
import { FormPayloadSchema, NewRoundSchema, RoundDetailSchema, RoundListSchema, RoundReplySchema, RoundStatusChangeSchema } from "../../shared/api/rounds.js";
import { RegistryListSchema, UnitChildrenSchema, UnitDetailSchema, UnitImportSchema, UnitSearchSchema } from "../../shared/api/units.js";
import { HealthSchema } from "../../shared/api/system.js";
import { PhoneSetupRequestSchema, PhoneSetupSchema } from "../../shared/api/odk.js";
import {
  PeerGroupListSchema,
  PeerGroupReplySchema,
  ProgressResponseSchema,
  RankingResponseSchema,
  ResultsReplySchema,
  TargetsViewSchema,
  WeakestSchema,
} from "../../shared/api/results.js";
import {
  AgencyMemberListSchema,
  AgencyMemberSchema,
  AgencyMembersSchema,
  AssessmentReplySchema,
  EvidenceSaveSchema,
  ParInputsReplySchema,
  ParInputsSchema,
  ParRoundListSchema,
  TransitionSchema,
  WhatIfSchema,
} from "../../shared/api/par-index.js";
import { PeerGroupBodySchema, TargetsBodySchema } from "../../shared/results/schemas.js";
import { ApiTokenListSchema, CreatedApiTokenSchema, NewApiTokenSchema } from "../../shared/api/api-tokens.js";
import { DesignResponseSchema, SamplingDesignSchema } from "../../shared/api/design.js";
import { EXPORT_PARAMETERS } from "../exports/parameters.js";

/** A zod schema with the name it gets under components/schemas. */
export interface Named {
  id: string;
  schema: z.ZodType;
}

/** A payload: a named schema, a file of a media type, or JSON whose schema is not shared yet. */
export type Payload = { json: Named } | { file: string[]; text: Text } | { missing: true; text?: Text };

export interface QueryParameter {
  name: string;
  text: Text;
  required?: boolean;
  values?: readonly string[];
}

export interface OperationDoc {
  tag: string;
  summary: Text;
  body?: Payload;
  /** Query parameters as the handler reads them; `queryMissing`: no schema checks them as a whole yet. */
  query?: QueryParameter[];
  queryMissing?: boolean;
  /** Status of the success answer (200 unless said); several when a repeat answers differently (stored 201, duplicate 200). */
  status?: number | number[];
  response: Payload;
}

const named = (id: string, schema: z.ZodType): { json: Named } => ({ json: { id, schema } });
const MISSING: Payload = { missing: true };
const t = (vi: string, en: string): Text => ({ vi, en });

/** The parameters every results-like GET reads (server/results/query.ts). */
const RESULTS_QUERY: QueryParameter[] = [
  { name: "unit", text: t("Khóa đơn vị; bắt buộc với tài khoản giới hạn theo địa bàn", "Unit key; required for an account limited to an area") },
  { name: "group", text: t("Nhóm người trả lời", "Respondent group") },
  { name: "variant", text: t("Phương án tổng hợp của chỉ số", "Aggregation variant of the index") },
  { name: "asOf", text: t("Danh mục đơn vị dùng để hiển thị", "Unit registry to show the results in") },
  { name: "compare", text: t("Đợt khảo sát để so sánh (năm trước)", "Round to compare with (previous year)") },
];

const EXPORT_FORMATS = [
  "text/csv",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/json",
  "application/x-ndjson",
  "text/plain",
];

export const OPERATIONS: Record<string, OperationDoc> = {
  // ------------------------------------------------------------------ system and reference
  "GET /api/health": {
    tag: "system",
    summary: t("Tình trạng máy chủ và cơ sở dữ liệu", "Server and database health"),
    response: named("Health", HealthSchema),
  },
  "GET /api/openapi.json": {
    tag: "system",
    summary: t("Tài liệu OpenAPI 3.1 của toàn bộ API này", "The OpenAPI 3.1 document of this whole API"),
    response: { file: ["application/json"], text: t("Tài liệu OpenAPI", "OpenAPI document") },
  },
  "GET /api/docs": {
    tag: "system",
    summary: t("Trang đọc danh sách các thao tác của API", "Readable page listing the API's operations"),
    response: { file: ["text/html"], text: t("Trang HTML", "HTML page") },
  },
  "GET /api/docs/style.css": {
    tag: "system",
    summary: t("Kiểu trình bày của trang tài liệu API", "Stylesheet of the API reference page"),
    response: { file: ["text/css"], text: t("CSS", "CSS") },
  },
  "GET /api/instruments": {
    tag: "instruments",
    summary: t("Danh sách bộ câu hỏi và phiên bản", "Questionnaires and their versions"),
    response: named("EditionList", EditionListSchema),
  },
  "GET /api/instruments/:id": {
    tag: "instruments",
    summary: t("Một bộ câu hỏi (phiên bản mới nhất hoặc version=)", "One questionnaire (latest version, or version=)"),
    query: [{ name: "version", text: t("Phiên bản", "Version") }],
    queryMissing: true,
    response: named("EditionDetail", EditionDetailSchema),
  },
  "GET /api/units": {
    tag: "units",
    summary: t("Tìm đơn vị hành chính theo tên (có hoặc không dấu) hoặc mã", "Search administrative units by name (with or without diacritics) or code"),
    query: [
      { name: "q", text: t("Tên hoặc mã", "Name or code") },
      { name: "level", text: t("Cấp đơn vị", "Unit level") },
      { name: "within", text: t("Chỉ trong đơn vị này", "Only within this unit") },
      { name: "registry", text: t("Danh mục", "Registry") },
      { name: "asOf", text: t("Danh mục có hiệu lực vào ngày này", "Registry in force on this date") },
      { name: "limit", text: t("Số kết quả tối đa (1–200)", "Most results (1–200)") },
    ],
    queryMissing: true,
    response: named("UnitSearch", UnitSearchSchema),
  },
  "GET /api/units/registries": {
    tag: "units",
    summary: t("Các danh mục đơn vị hành chính", "The unit registries"),
    response: named("RegistryList", RegistryListSchema),
  },
  "GET /api/units/:key/children": {
    tag: "units",
    summary: t("Các đơn vị trực thuộc", "Units directly below a unit"),
    response: named("UnitChildren", UnitChildrenSchema),
  },
  "GET /api/units/:key": { tag: "units", summary: t("Một đơn vị hành chính", "One administrative unit"), response: named("UnitDetail", UnitDetailSchema) },
  "POST /api/units/import": {
    tag: "units",
    summary: t("Nhập thôn/xóm hoặc cơ quan từ tệp CSV", "Import villages or agencies from a CSV file"),
    query: [{ name: "kind", text: t("village hoặc agency", "village or agency"), values: ["village", "agency"] }],
    queryMissing: true,
    body: { file: ["text/csv"], text: t("CSV UTF-8, UTF-16 có BOM hoặc Windows-1258", "CSV in UTF-8, UTF-16 with BOM or Windows-1258") },
    status: 201,
    response: named("UnitImport", UnitImportSchema),
  },

  // ------------------------------------------------------------------ rounds and collection
  "GET /api/rounds": { tag: "rounds", summary: t("Các đợt khảo sát", "Survey rounds"), response: named("RoundList", RoundListSchema) },
  "GET /api/rounds/:id": { tag: "rounds", summary: t("Một đợt khảo sát", "One survey round"), response: named("RoundDetail", RoundDetailSchema) },
  "GET /api/rounds/:id/form": {
    tag: "rounds",
    summary: t("Mọi thứ để hiển thị phiếu của một đợt", "Everything needed to show a round's form"),
    response: named("FormPayload", FormPayloadSchema),
  },
  "POST /api/rounds": {
    tag: "rounds",
    summary: t("Tạo đợt khảo sát", "Create a survey round"),
    body: named("NewRound", NewRoundSchema),
    status: 201,
    response: named("RoundReply", RoundReplySchema),
  },
  "PATCH /api/rounds/:id": {
    tag: "rounds",
    summary: t("Mở hoặc đóng đợt khảo sát", "Open or close a survey round"),
    body: named("RoundStatusChange", RoundStatusChangeSchema),
    response: named("RoundReply", RoundReplySchema),
  },
  "GET /api/rounds/:id/offline-units": {
    tag: "collection",
    summary: t("Đơn vị của đợt để tìm khi không có mạng", "The round's units, for searching offline"),
    response: named("OfflinePackage", OfflinePackageSchema),
  },
  "POST /api/rounds/:id/responses": {
    tag: "collection",
    summary: t("Gửi một phiếu trả lời", "Submit one response"),
    body: named("Submission", SubmissionSchema),
    status: [201, 200],
    response: named("Receipt", ReceiptSchema),
  },
  "POST /api/sync": {
    tag: "collection",
    summary: t("Đồng bộ một lô phiếu từ máy điều tra viên", "Sync a batch of responses from an enumerator's device"),
    body: named("SyncBatch", SyncBatchSchema),
    response: named("SyncReply", SyncReplySchema),
  },

  // ------------------------------------------------------------------ accounts
  "POST /api/auth/login": {
    tag: "accounts",
    summary: t("Đăng nhập (cookie phiên và mã CSRF)", "Sign in (session cookie and CSRF token)"),
    body: named("Login", LoginSchema),
    response: named("LoginReply", LoginReplySchema),
  },
  "POST /api/auth/logout": { tag: "accounts", summary: t("Đăng xuất", "Sign out"), response: named("Ok", OkSchema) },
  "POST /api/auth/password": {
    tag: "accounts",
    summary: t("Đổi mật khẩu của mình", "Change one's own password"),
    body: named("ChangePassword", ChangePasswordSchema),
    response: named("AccountReply", AccountReplySchema),
  },
  "GET /api/auth/me": {
    tag: "accounts",
    summary: t("Tài khoản đang gọi (hoặc không ai)", "The calling account (or nobody)"),
    response: named("WhoAmI", WhoAmISchema),
  },
  "GET /api/users": { tag: "accounts", summary: t("Các tài khoản", "Accounts"), response: named("AccountList", AccountListSchema) },
  "POST /api/users": {
    tag: "accounts",
    summary: t("Tạo tài khoản", "Create an account"),
    body: named("NewUser", NewUserSchema),
    status: 201,
    response: named("AccountReply", AccountReplySchema),
  },
  "PATCH /api/users/:id": {
    tag: "accounts",
    summary: t("Khóa hoặc mở khóa tài khoản", "Disable or enable an account"),
    body: named("UserDisabled", UserDisabledSchema),
    response: named("AccountReply", AccountReplySchema),
  },
  "PUT /api/users/:id/password": {
    tag: "accounts",
    summary: t("Đặt lại mật khẩu (phải đổi khi đăng nhập)", "Reset a password (to be changed at sign-in)"),
    body: named("ResetPassword", ResetPasswordSchema),
    response: named("AccountReply", AccountReplySchema),
  },
  "POST /api/devices": {
    tag: "accounts",
    summary: t("Đăng ký máy của điều tra viên (mã thiết bị)", "Register an enumerator's device (device token)"),
    body: named("NewDevice", NewDeviceSchema),
    status: 201,
    response: named("DeviceCreated", DeviceCreatedSchema),
  },
  "GET /api/devices": { tag: "accounts", summary: t("Các máy đã đăng ký", "Registered devices"), response: named("DeviceList", DeviceListSchema) },
  "DELETE /api/devices/:id": { tag: "accounts", summary: t("Thu hồi mã thiết bị", "Revoke a device token"), response: named("Ok", OkSchema) },
  "GET /api/audit": {
    tag: "accounts",
    summary: t("Nhật ký thao tác quản trị", "Audit log of administrative actions"),
    query: [
      { name: "limit", text: t("Số dòng (1–1000)", "Entries (1–1000)") },
      { name: "before", text: t("Chỉ các dòng trước thời điểm này (ISO 8601)", "Only entries before this time (ISO 8601)") },
    ],
    queryMissing: true,
    response: named("AuditList", AuditListSchema),
  },
  "POST /api/api-tokens": {
    tag: "api-tokens",
    summary: t("Tạo mã API chỉ đọc (hiện một lần)", "Create a read-only API token (shown once)"),
    body: named("NewApiToken", NewApiTokenSchema),
    status: 201,
    response: named("CreatedApiToken", CreatedApiTokenSchema),
  },
  "GET /api/api-tokens": {
    tag: "api-tokens",
    summary: t("Mã API của mình (quản trị viên: của mọi người)", "One's API tokens (administrators: everyone's)"),
    response: named("ApiTokenList", ApiTokenListSchema),
  },
  "DELETE /api/api-tokens/:id": { tag: "api-tokens", summary: t("Thu hồi mã API", "Revoke an API token"), response: named("Ok", OkSchema) },

  // ------------------------------------------------------------------ invitations (leader survey)
  "POST /api/rounds/:id/invitations": {
    tag: "invitations",
    summary: t("Nhập danh sách người được mời (CSV hoặc JSON)", "Import invitees (CSV or JSON)"),
    body: named("InviteeImport", InviteeImportSchema),
    status: 201,
    response: named("InviteesImported", InviteesImportedSchema),
  },
  "GET /api/rounds/:id/invitations/links.csv": {
    tag: "invitations",
    summary: t("Đường dẫn mời của từng người (CSV)", "Each invitee's link (CSV)"),
    query: [{ name: "pending", text: t("1: chỉ người chưa trả lời", "1: only those who have not answered") }],
    queryMissing: true,
    response: { file: ["text/csv"], text: t("CSV", "CSV") },
  },
  "GET /api/rounds/:id/invitations/progress": {
    tag: "invitations",
    summary: t("Tiến độ trả lời theo cơ quan", "Answers so far by agency"),
    response: named("InvitationProgress", InvitationProgressSchema),
  },
  "POST /api/invitations/lookup": {
    tag: "invitations",
    summary: t("Tra cứu thư mời bằng mã", "Look up an invitation by its token"),
    body: named("InvitationLookup", InvitationLookupSchema),
    response: named("InvitationForm", InvitationFormSchema),
  },
  "POST /api/invitations/credential": {
    tag: "invitations",
    summary: t("Nhận chứng từ ẩn danh (ký mù)", "Obtain an anonymous credential (blind signature)"),
    body: named("CredentialRequest", CredentialRequestSchema),
    response: named("CredentialIssued", CredentialIssuedSchema),
  },
  "POST /api/invitations/responses": {
    tag: "invitations",
    summary: t("Trả lời bằng chứng từ ẩn danh", "Answer with the anonymous credential"),
    body: named("AnonymousResponse", AnonymousResponseSchema),
    status: [201, 200],
    response: named("Receipt", ReceiptSchema),
  },

  // ------------------------------------------------------------------ results
  "GET /api/rounds/:id/results": {
    tag: "results",
    summary: t("Điểm chỉ số của một đơn vị, nhóm hoặc cả đợt", "Index scores of a unit, group or the whole round"),
    query: [
      ...RESULTS_QUERY,
      { name: "by", text: t("Chia theo cấp đơn vị hoặc nhóm", "Break down by unit level or group") },
      { name: "rank", text: t("1: kèm thứ hạng của đơn vị", "1: include the unit's rank") },
    ],
    queryMissing: true,
    response: named("ResultsReply", ResultsReplySchema),
  },
  "GET /api/rounds/:id/results/ranking": {
    tag: "results",
    summary: t("Xếp hạng các đơn vị của một cấp", "Ranking of the units of a level"),
    query: [
      ...RESULTS_QUERY,
      { name: "level", text: t("Cấp đơn vị được xếp hạng", "Unit level to rank"), required: true },
      { name: "node", text: t("Mã chỉ tiêu (mặc định: tổng)", "Node code (default: the total)") },
      { name: "peers", text: t("Nhóm đơn vị để xếp hạng trong đó", "Peer group to rank within") },
    ],
    queryMissing: true,
    response: named("RankingResponse", RankingResponseSchema),
  },
  "GET /api/rounds/:id/results/weakest": {
    tag: "results",
    summary: t("Các tiêu chí yếu nhất", "The weakest criteria"),
    query: [
      ...RESULTS_QUERY,
      { name: "level", text: t("Cấp của cây chỉ số", "Level of the index tree") },
      { name: "against", text: t("So với điểm tối đa hoặc chỉ tiêu", "Against the maximum or the target"), values: ["max", "target"] },
      { name: "limit", text: t("Số dòng (1–500)", "Rows (1–500)") },
    ],
    queryMissing: true,
    response: named("Weakest", WeakestSchema),
  },
  "GET /api/rounds/:id/targets": {
    tag: "results",
    summary: t("Chỉ tiêu của đợt và mức đạt", "The round's targets and how far results are from them"),
    query: RESULTS_QUERY,
    queryMissing: true,
    response: named("TargetsView", TargetsViewSchema),
  },
  "PUT /api/rounds/:id/targets": {
    tag: "results",
    summary: t("Thay các chỉ tiêu trong phạm vi của mình", "Replace the targets within one's scope"),
    body: named("TargetsBody", TargetsBodySchema),
    query: RESULTS_QUERY,
    queryMissing: true,
    response: named("TargetsView", TargetsViewSchema),
  },
  "GET /api/rounds/:id/progress": {
    tag: "results",
    summary: t("Tiến độ thu thập so với cỡ mẫu", "Collection progress against sample targets"),
    query: [{ name: "level", text: t("Chia theo cấp đơn vị", "Break down by unit level") }],
    queryMissing: true,
    response: named("ProgressResponse", ProgressResponseSchema),
  },
  "GET /api/rounds/:id/design": {
    tag: "results",
    summary: t("Thiết kế mẫu của đợt (tầng, đơn vị mẫu cấp 1)", "The round's sampling design (strata, primary sampling units)"),
    response: named("DesignResponse", DesignResponseSchema),
  },
  "PUT /api/rounds/:id/design": {
    tag: "results",
    summary: t("Khai báo thiết kế mẫu của đợt", "Declare the round's sampling design"),
    body: named("SamplingDesign", SamplingDesignSchema),
    response: named("DesignResponse", DesignResponseSchema),
  },
  "GET /api/peer-groups": {
    tag: "results",
    summary: t("Các nhóm đơn vị để so sánh", "Peer groups (sets of units to rank among)"),
    response: named("PeerGroupList", PeerGroupListSchema),
  },
  "GET /api/peer-groups/:id": { tag: "results", summary: t("Một nhóm đơn vị", "One peer group"), response: named("PeerGroupReply", PeerGroupReplySchema) },
  "PUT /api/peer-groups/:id": {
    tag: "results",
    summary: t("Tạo hoặc sửa nhóm đơn vị", "Create or change a peer group"),
    body: named("PeerGroupBody", PeerGroupBodySchema),
    response: named("PeerGroupReply", PeerGroupReplySchema),
  },
  "GET /api/rounds/:id/export/:layout": {
    tag: "exports",
    summary: t(
      "Tải dữ liệu hoặc kết quả (CSV, XLSX, JSON, NDJSON, cú pháp nhãn SPSS/Stata/R)",
      "Download data or results (CSV, XLSX, JSON, NDJSON, SPSS/Stata/R label syntax)",
    ),
    // The table the route checks its parameters against (server/exports/parameters.ts): checked as a whole, so not marked missing.
    query: EXPORT_PARAMETERS.map((p) => {
      const where = `layout=${p.layouts.join("|")}${p.formats ? `, format=${p.formats.join("|")}` : ""}${p.needs ? `, ${p.needs}=…` : ""}`;
      return { name: p.name, text: t(`Dùng với ${where}`, `With ${where}`), ...(p.values ? { values: p.values } : {}) };
    }),
    response: { file: EXPORT_FORMATS, text: t("Tệp tải về, gửi dần", "The file, streamed") },
  },

  // ------------------------------------------------------------------ PAR INDEX
  "GET /api/par/agency-members": {
    tag: "par-index",
    summary: t("Tài khoản của các sở và cơ quan được gắn", "Department accounts and the agencies bound to them"),
    response: named("AgencyMemberList", AgencyMemberListSchema),
  },
  "GET /api/par/agency-members/:username": {
    tag: "par-index",
    summary: t("Cơ quan gắn với một tài khoản", "Agencies bound to one account"),
    response: named("AgencyMember", AgencyMemberSchema),
  },
  "PUT /api/par/agency-members/:username": {
    tag: "par-index",
    summary: t("Gắn tài khoản với cơ quan", "Bind an account to agencies"),
    body: named("AgencyMembers", AgencyMembersSchema),
    response: named("AgencyMember", AgencyMemberSchema),
  },
  "GET /api/par/rounds": {
    tag: "par-index",
    summary: t("Các đợt Chỉ số CCHC được xem", "The PAR INDEX rounds one may see"),
    response: named("ParRoundList", ParRoundListSchema),
  },
  "GET /api/par/:round": {
    tag: "par-index",
    summary: t("Định nghĩa, biểu mẫu và đơn vị được đánh giá của đợt", "A round's definition, form and assessed units"),
    response: MISSING,
  },
  "GET /api/par/:round/assessments/:unit/:group": {
    tag: "par-index",
    summary: t("Bản tự đánh giá hoặc thẩm định", "A self-assessment or appraisal"),
    response: named("AssessmentReply", AssessmentReplySchema),
  },
  "PUT /api/par/:round/assessments/:unit/:group": {
    tag: "par-index",
    summary: t("Lưu minh chứng và điểm", "Save evidence and answers"),
    body: named("EvidenceSave", EvidenceSaveSchema),
    response: named("AssessmentReply", AssessmentReplySchema),
  },
  "POST /api/par/:round/assessments/:unit/:group/transition": {
    tag: "par-index",
    summary: t("Gửi, duyệt hoặc trả lại bản đánh giá", "Submit, review or return an assessment"),
    body: named("Transition", TransitionSchema),
    response: named("AssessmentReply", AssessmentReplySchema),
  },
  "GET /api/par/:round/inputs/:unit": {
    tag: "par-index",
    summary: t("Nguồn S, C và điểm A được cho của đơn vị", "A unit's S and C sources and given A scores"),
    response: named("ParInputsReply", ParInputsReplySchema),
  },
  "PUT /api/par/:round/inputs/:unit": {
    tag: "par-index",
    summary: t("Lưu nguồn S, C và điểm A được cho", "Save S and C sources and given A scores"),
    body: named("ParInputs", ParInputsSchema),
    response: named("ParInputsReply", ParInputsReplySchema),
  },
  "GET /api/par/:round/results": {
    tag: "par-index",
    summary: t("Kết quả Chỉ số CCHC (tổng /100 với phần A, S, C)", "PAR INDEX results (total /100 with its A, S and C parts)"),
    query: [
      { name: "unit", text: t("Đơn vị", "Unit") },
      { name: "group", text: t("Nhóm đánh giá", "Assessment group") },
      { name: "compare", text: t("Đợt để so sánh", "Round to compare with") },
      { name: "target", text: t("Chỉ tiêu (%)", "Target (%)") },
    ],
    queryMissing: true,
    response: MISSING,
  },
  "GET /api/par/:round/targets": {
    tag: "par-index",
    summary: t("Chỉ tiêu của đợt Chỉ số CCHC", "Targets of a PAR INDEX round"),
    query: [{ name: "unit", text: t("Đơn vị", "Unit") }],
    queryMissing: true,
    response: MISSING,
  },
  "PUT /api/par/:round/targets": {
    tag: "par-index",
    summary: t("Thay chỉ tiêu của đợt Chỉ số CCHC", "Replace targets of a PAR INDEX round"),
    body: named("TargetsBody", TargetsBodySchema),
    response: MISSING,
  },
  "GET /api/par/:round/below-maximum": {
    tag: "par-index",
    summary: t("Các tiêu chí chưa đạt điểm tối đa (JSON hoặc phụ lục CSV/XLSX)", "Criteria below their maximum (JSON, or a CSV/XLSX appendix)"),
    query: [
      { name: "unit", text: t("Đơn vị", "Unit") },
      { name: "group", text: t("Nhóm đánh giá", "Assessment group") },
      { name: "format", text: t("Định dạng", "Format"), values: ["json", "csv", "xlsx"] },
      { name: "labels", text: t("Ngôn ngữ nhãn", "Label language"), values: ["vi", "en"] },
      { name: "sep", text: t("Dấu phân cách CSV", "CSV separator"), values: ["comma", "semicolon"] },
      { name: "decimal", text: t("Dấu thập phân", "Decimal mark"), values: ["point", "comma"] },
    ],
    queryMissing: true,
    response: MISSING,
  },
  "POST /api/par/:round/what-if": {
    tag: "par-index",
    summary: t("Tính thử với giá trị đề xuất (không lưu)", "Recompute with proposed values (nothing stored)"),
    body: named("WhatIf", WhatIfSchema),
    response: MISSING,
  },

  // ------------------------------------------------------------------ ODK and XLSForm
  "POST /api/odk/settings": {
    tag: "odk",
    summary: t("Cài đặt ODK Collect cho máy (mã thiết bị và mã QR)", "Set up ODK Collect on a phone (device token and QR payload)"),
    body: named("PhoneSetupRequest", PhoneSetupRequestSchema),
    status: 201,
    response: named("PhoneSetup", PhoneSetupSchema),
  },
  "POST /api/xlsform": {
    tag: "xlsform",
    summary: t("Nhập bộ câu hỏi từ tệp XLSForm (check=1: chỉ kiểm tra)", "Import a questionnaire from an XLSForm workbook (check=1: only check)"),
    query: [{ name: "check", text: t("1: chỉ kiểm tra", "1: only check") }],
    queryMissing: true,
    body: {
      file: ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "multipart/form-data"],
      text: t("Tệp .xlsx, hoặc multipart với file và index", ".xlsx file, or multipart with file and index"),
    },
    response: named("XlsformImported", XlsformImportedSchema),
  },
  "GET /api/xlsform/:edition": {
    tag: "xlsform",
    summary: t("Xuất bộ câu hỏi thành tệp XLSForm", "A questionnaire as an XLSForm workbook"),
    query: [{ name: "version", text: t("Phiên bản", "Version") }],
    queryMissing: true,
    response: { file: ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"], text: t("Tệp .xlsx", ".xlsx file") },
  },
};
