/**
 * The closed set of problems chiso reports, shared by server and client.
 * Each code carries its HTTP status and a message in Vietnamese and English; the server's single
 * error handler reads from here. The browser shows the messages the server sends and ships only
 * the answer problems it finds itself (shared/answer-problems.ts), to keep the respondent form light.
 */
import type { Text } from "./i18n.js";
import { ANSWER_PROBLEMS } from "./answer-problems.js";

export const PROBLEMS = {
  // --- answers (422): their own module, the only part the respondent form ships ---
  ...ANSWER_PROBLEMS,
  // --- request shape (400/413/415) ---
  malformed_json: { status: 400, vi: "Dữ liệu gửi lên không phải JSON hợp lệ.", en: "The request body is not valid JSON." },
  payload_too_large: { status: 413, vi: "Dữ liệu gửi lên quá lớn.", en: "The request body is too large." },
  unsupported_media_type: {
    status: 415,
    vi: "Chỉ nhận dữ liệu JSON (Content-Type: application/json).",
    en: "Only JSON is accepted (Content-Type: application/json).",
  },
  // --- results and export parameters (400); {name} is filled from the problem's detail ---
  registry_unknown: { status: 400, vi: 'Không có danh mục đơn vị "{asOf}" (có: {known}).', en: 'No unit registry "{asOf}" (known: {known}).' },
  crosswalk_missing: {
    status: 400,
    vi: "Không có bảng chuyển đổi giữa danh mục {from} và {asOf}.",
    en: "There is no crosswalk between registries {from} and {asOf}.",
  },
  unit_other_registry: {
    status: 400,
    vi: "Đơn vị {unit} thuộc danh mục {registry}, không thuộc danh mục đang xem ({asOf}).",
    en: "Unit {unit} belongs to registry {registry}, not to the registry shown ({asOf}).",
  },
  group_not_in_round: {
    status: 400,
    vi: 'Nhóm "{group}" không có trong đợt này (có: {groups}).',
    en: 'Group "{group}" is not part of this round (groups: {groups}).',
  },
  variant_unknown: {
    status: 400,
    vi: 'Chỉ số không có phương án "{variant}" (có: {available}).',
    en: 'The index has no variant "{variant}" (variants: {available}).',
  },
  breakdown_unknown: { status: 400, vi: 'Không có cấp "{by}"; dùng: {levels}, group.', en: 'Unknown level "{by}"; use {levels} or group.' },
  breakdown_empty: { status: 400, vi: 'Danh mục {registry} không có đơn vị cấp "{by}".', en: 'Registry {registry} has no units at level "{by}".' },
  breakdown_not_below: {
    status: 400,
    vi: 'Cấp "{by}" phải thấp hơn cấp của đơn vị đã chọn ({level}).',
    en: 'Level "{by}" must be below the selected unit\'s level ({level}).',
  },
  compare_same_round: { status: 400, vi: "Không thể so sánh một đợt với chính nó.", en: "A round cannot be compared with itself." },
  compare_not_found: { status: 400, vi: 'Không tìm thấy đợt so sánh "{compare}".', en: 'The round to compare with, "{compare}", was not found.' },
  compare_other_family: {
    status: 400,
    vi: "Đợt {compare} thuộc bộ chỉ số khác ({family}), không so sánh được với {currentFamily}.",
    en: "Round {compare} belongs to another index family ({family}); it cannot be compared with {currentFamily}.",
  },
  ranking_level_required: {
    status: 400,
    vi: "Cần chọn cấp đơn vị để xếp hạng (level=province|commune|…).",
    en: "Choose the unit level to rank (level=province|commune|…).",
  },
  index_level_unknown: { status: 400, vi: 'Chỉ số không có cấp "{level}" (có: {levels}).', en: 'The index has no level "{level}" (levels: {levels}).' },
  index_node_unknown: { status: 400, vi: 'Chỉ số không có nút "{node}".', en: 'The index has no node "{node}".' },
  against_unknown: { status: 400, vi: "against phải là max hoặc target.", en: "against must be max or target." },
  peer_group_unknown: { status: 400, vi: 'Không có nhóm so sánh "{peers}".', en: 'No peer group "{peers}".' },
  peer_group_other_registry: {
    status: 400,
    vi: "Nhóm so sánh {peers} dùng danh mục {registry}; hãy xem kết quả theo danh mục đó (asOf={registry}).",
    en: "Peer group {peers} uses registry {registry}; show results as of that registry (asOf={registry}).",
  },
  progress_level_unknown: { status: 400, vi: 'Không có cấp "{level}".', en: 'Unknown level "{level}".' },
  export_parameter_unknown: { status: 400, vi: "Tham số không có: {unknown}; dùng: {allowed}.", en: "Unknown parameter: {unknown}; use {allowed}." },
  export_parameter_unusable: { status: 400, vi: "Tham số không dùng được ở đây: {reasons}.", en: "Parameter not usable here: {reasons}." },
  export_parameter_value: {
    status: 400,
    vi: 'Tham số {name}="{value}" không hợp lệ; dùng: {allowed}.',
    en: 'Parameter {name}="{value}" is not valid; use {allowed}.',
  },
  export_syntax_data_only: {
    status: 400,
    vi: "Tệp nhãn (format={format}) chỉ có cho layout=data.",
    en: "Label syntax files (format={format}) exist only for layout=data.",
  },
  export_cols_unknown: {
    status: 400,
    vi: 'Tham số cols="{cols}": chỉ số không có cấp này (có: {allowed}).',
    en: 'Parameter cols="{cols}": the index has no such level (levels: {allowed}).',
  },
  export_node_unknown: { status: 400, vi: 'Tham số node="{node}": chỉ số không có nút này.', en: 'Parameter node="{node}": the index has no such node.' },
  export_peers_with_groups: {
    status: 400,
    vi: "Tham số peers dùng với by là một cấp đơn vị, không dùng với by=group.",
    en: "Parameter peers needs by to be a unit level, not by=group.",
  },
  // --- requests about accounts, units and invitations (400) ---
  cannot_disable_self: { status: 400, vi: "Không thể tự khóa tài khoản của mình.", en: "You cannot disable your own account." },
  cannot_reset_own_password: {
    status: 400,
    vi: "Đổi mật khẩu của chính mình bằng “Đổi mật khẩu” (cần mật khẩu hiện tại).",
    en: "Change your own password with “Change password” (it needs the current one).",
  },
  audit_limit_invalid: { status: 400, vi: "limit phải là số nguyên từ 1 đến 1000.", en: "limit must be a whole number from 1 to 1000." },
  audit_before_invalid: { status: 400, vi: "before phải là một thời điểm (ISO 8601).", en: "before must be a time (ISO 8601)." },
  registry_not_valid_on_date: {
    status: 400,
    vi: "Không có danh mục đơn vị hành chính nào có hiệu lực vào ngày này.",
    en: "No unit registry is valid on that date.",
  },
  unit_import_kind: { status: 400, vi: "Tham số kind phải là village hoặc agency.", en: "The kind parameter must be village or agency." },
  unit_import_registry: { status: 400, vi: "Không có danh mục đơn vị “{registry}”.", en: "There is no unit registry “{registry}”." },
  unstorable_character: {
    status: 400,
    vi: "Dữ liệu có ký tự không lưu được (ký tự điều khiển U+0000).",
    en: "The data holds a character that cannot be stored (control character U+0000).",
  },
  multipart_unreadable: { status: 400, vi: "Biểu mẫu multipart không đọc được.", en: "The multipart form cannot be read." },
  submission_too_large: { status: 413, vi: "Phiếu lớn hơn {limitMb} MB.", en: "The submission is larger than {limitMb} MB." },
  submission_not_multipart: {
    status: 400,
    vi: "Phiếu phải được gửi dạng multipart/form-data có phần xml_submission_file.",
    en: "A submission is sent as multipart/form-data with an xml_submission_file part.",
  },
  submission_unreadable: { status: 400, vi: "Không đọc được nội dung multipart của phiếu.", en: "The multipart body of the submission could not be read." },
  submission_file_missing: { status: 400, vi: "Thiếu phần xml_submission_file.", en: "The xml_submission_file part is missing." },
  submission_not_utf8: { status: 400, vi: "Tệp phiếu phải được mã hóa UTF-8.", en: "The submission file must be UTF-8." },
  round_without_invitations: { status: 400, vi: "Đợt khảo sát này không dùng thư mời.", en: "This round does not use invitations." },
  // --- lookups (404) ---
  not_found: { status: 404, vi: "Không tìm thấy.", en: "Not found." },
  form_not_collectable: {
    status: 404,
    vi: 'Không có biểu mẫu "{round}", hoặc tài khoản không được phân công thu thập trong đợt này.',
    en: 'No form "{round}", or this account is not assigned to collect in this round.',
  },
  no_index: { status: 404, vi: "Bộ câu hỏi này không có chỉ số.", en: "This questionnaire has no index." },
  api_token_not_found: { status: 404, vi: "Không có mã API này, hoặc mã đã bị thu hồi.", en: "No such API token, or it is revoked already." },
  invitation_not_found: { status: 404, vi: "Đường dẫn mời không hợp lệ hoặc đã bị hủy.", en: "This invitation link is not valid or was withdrawn." },
  round_not_found: { status: 404, vi: "Không tìm thấy đợt khảo sát.", en: "Survey round not found." },
  instrument_not_found: { status: 404, vi: "Không tìm thấy bộ câu hỏi.", en: "Questionnaire not found." },
  unit_not_found: { status: 404, vi: "Không tìm thấy đơn vị hành chính.", en: "Administrative unit not found." },
  // --- state conflicts (409) ---
  round_not_open: { status: 409, vi: "Đợt khảo sát không mở để nhận phiếu.", en: "The survey round is not open for responses." },
  version_mismatch: {
    status: 409,
    vi: "Phiếu dùng phiên bản bộ câu hỏi khác với phiên bản hiện hành.",
    en: "The response uses a different questionnaire version than the current one.",
  },
  duplicate_conflict: {
    status: 409,
    vi: "Mã phiếu này đã được dùng cho một phiếu có nội dung khác.",
    en: "This response id was already used for different content.",
  },
  edition_changed: {
    status: 409,
    vi: "Bộ câu hỏi đã công bố không được sửa; hãy tăng số phiên bản.",
    en: "A published questionnaire cannot change; give it a new version.",
  },
  token_used: { status: 409, vi: "Thư mời này đã được dùng để trả lời.", en: "This invitation has already been used." },
  instance_id_conflict: {
    status: 409,
    vi: "Đã nhận một phiếu khác có cùng mã phiếu (instanceID); phiếu này không được lưu.",
    en: "Another response with the same instance id was received already; this one was not stored.",
  },
  invitation_opened: {
    status: 409,
    vi: "Thư mời này đã được mở trên một trình duyệt khác (hoặc dữ liệu trình duyệt đã bị xóa). Mỗi thư mời chỉ cấp một phiếu trả lời; máy chủ không biết, và không thể biết, phiếu đó đã được gửi hay chưa. Nếu Ông/Bà chưa trả lời, xin mở lại đường dẫn trên trình duyệt đã dùng lần đầu.",
    en: "This invitation was already opened in another browser (or this browser's data was cleared). Each invitation grants one response form; the server does not, and cannot, know whether it was sent. If you have not answered yet, please open the link in the browser you used first.",
  },
  credential_used: {
    status: 409,
    vi: "Chứng nhận này đã được dùng cho một phiếu có nội dung khác. Mỗi thư mời chỉ trả lời một lần.",
    en: "This credential was already used for a response with different content. Each invitation answers once.",
  },
  already_exists: { status: 409, vi: "Đã có một bản ghi với giá trị này.", en: "A record with this value already exists." },
  // --- validation (422) ---
  invalid: { status: 422, vi: "Có mục chưa hợp lệ: xem từng lỗi kèm theo.", en: "Some fields are not valid: see each error listed." },
  unit_not_in_scope: {
    status: 422,
    vi: "Đơn vị không thuộc phạm vi của đợt khảo sát hoặc không đúng cấp.",
    en: "The unit is outside the round's scope or at the wrong level.",
  },
  group_not_allowed: {
    status: 422,
    vi: "Nhóm người trả lời không được phép trong đợt khảo sát này.",
    en: "This respondent group is not allowed in this round.",
  },
  bad_timestamp: { status: 422, vi: "Thời gian không hợp lệ.", en: "The timestamp is not valid." },
  weak_password: { status: 422, vi: "Mật khẩu chưa đủ mạnh.", en: "The password is not strong enough." },
  current_password_wrong: { status: 422, vi: "Mật khẩu hiện tại không đúng.", en: "The current password is wrong." },
  password_unchanged: { status: 422, vi: "Mật khẩu mới phải khác mật khẩu hiện tại.", en: "The new password must differ from the current one." },
  // --- auth (401/403/429) ---
  unauthenticated: { status: 401, vi: "Cần đăng nhập.", en: "Sign-in required." },
  enumerator_sign_in: { status: 401, vi: "Cần đăng nhập bằng tài khoản điều tra viên.", en: "Sign in with an enumerator account." },
  wrong_credentials: { status: 401, vi: "Tên đăng nhập hoặc mật khẩu không đúng.", en: "Wrong username or password." },
  api_token_invalid: {
    status: 401,
    vi: "Mã API không đúng, đã hết hạn hoặc đã bị thu hồi. Hãy tạo mã mới.",
    en: "The API token is unknown, expired or revoked. Create a new one.",
  },
  forbidden: { status: 403, vi: "Không có quyền thực hiện.", en: "Not allowed." },
  enumerators_only: {
    status: 403,
    vi: "Chỉ tài khoản điều tra viên được thu thập bằng ODK Collect.",
    en: "Only enumerator accounts collect with ODK Collect.",
  },
  password_change_at_collect: {
    status: 403,
    vi: "Mật khẩu phải được đổi trước: hãy đăng nhập ở /collect và đổi mật khẩu.",
    en: "The password must be changed first: sign in at /collect and change it.",
  },
  api_token_read_only: {
    status: 403,
    vi: "Mã API chỉ dùng để đọc kết quả và tải tệp xuất (GET); thao tác này cần đăng nhập.",
    en: "An API token only reads results and exports (GET); this needs a signed-in session.",
  },
  csrf_token_wrong: {
    status: 403,
    vi: "Thiếu hoặc sai mã chống giả mạo yêu cầu (CSRF). Hãy tải lại trang.",
    en: "Missing or wrong anti-forgery (CSRF) token. Reload the page.",
  },
  raw_export_admins_only: {
    status: 403,
    vi: "Chỉ quản trị viên được xuất phiếu gốc của đợt khảo sát theo thư mời.",
    en: "Only administrators may export raw responses of an invitation round.",
  },
  raw_export_whole_round: {
    status: 403,
    vi: "Tài khoản giới hạn theo địa bàn không được xuất phiếu gốc của cả đợt khảo sát.",
    en: "An account limited to an area may not export the raw responses of a whole round.",
  },
  round_not_assigned: { status: 403, vi: "Tài khoản không được phân công xem đợt khảo sát này.", en: "This account is not assigned to this survey round." },
  unit_out_of_scope: {
    status: 403,
    vi: "Đơn vị nằm ngoài địa bàn được phân công cho tài khoản.",
    en: "The unit is outside the area assigned to this account.",
  },
  peer_group_not_owned: {
    status: 403,
    vi: "Chỉ quản trị viên hoặc người tạo nhóm so sánh được sửa nhóm này.",
    en: "Only administrators or the peer group's creator may change it.",
  },
  password_change_required: { status: 403, vi: "Cần đổi mật khẩu trước khi tiếp tục.", en: "Change your password before continuing." },
  sign_in_throttled: { status: 429, vi: "Đăng nhập sai quá nhiều lần. Thử lại sau {wait}.", en: "Too many failed sign-ins. Try again in {wait}." },
  rate_limited: { status: 429, vi: "Quá nhiều yêu cầu, vui lòng thử lại sau.", en: "Too many requests, please try again later." },
  // --- PAR INDEX (server/par-index) ---
  par_index_round: {
    status: 409,
    vi: "Đây là đợt chấm điểm Chỉ số CCHC (PAR INDEX): xem kết quả tại /api/par/<đợt>/results.",
    en: "This is a PAR INDEX round: see /api/par/<round>/results for its results.",
  },
  not_par_index_round: { status: 409, vi: "Đợt này không phải đợt chấm điểm Chỉ số CCHC (PAR INDEX).", en: "This round is not a PAR INDEX round." },
  assessment_conflict: {
    status: 409,
    vi: "Người khác đã sửa dữ liệu này sau khi bạn mở; hãy tải lại rồi nhập lại.",
    en: "Someone else changed this after you opened it; reload and enter it again.",
  },
  assessment_locked: {
    status: 409,
    vi: "Báo cáo tự đánh giá không ở trạng thái cho phép thao tác này.",
    en: "The self-assessment is not in a state that allows this action.",
  },
  // --- server ---
  internal: { status: 500, vi: "Lỗi hệ thống.", en: "Internal error." },
} as const satisfies Record<string, { status: number } & Text>;

export type ProblemCode = keyof typeof PROBLEMS;

/** One field-level problem: which question (or field path), which code, and why in both languages. */
export interface FieldError {
  question: string;
  code: ProblemCode;
  message_vi: string;
  message_en: string;
}

/** The JSON body of every error response. */
export interface ProblemBody {
  /** `errors` lists at most the first MAX_LISTED_ERRORS; `errorCount` then says how many there were. */
  error: { code: ProblemCode; message_vi: string; message_en: string; errors?: FieldError[]; errorCount?: number; detail?: unknown };
}

/**
 * A code's message with its `{name}` placeholders filled from the problem's detail: lists joined
 * with commas, a bilingual value ({vi, en}) in each message's language (lists of them joined with
 * semicolons); a placeholder the detail does not have stays as it is.
 */
export function problemMessage(code: ProblemCode, detail?: unknown): Text {
  const values = detail && typeof detail === "object" ? (detail as Record<string, unknown>) : {};
  const isText = (v: unknown): v is Text => typeof v === "object" && v !== null && typeof (v as Text).vi === "string" && typeof (v as Text).en === "string";
  const fill = (lang: "vi" | "en") =>
    PROBLEMS[code][lang].replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value = values[name];
      if (value === undefined || value === null) return whole;
      if (isText(value)) return value[lang];
      if (Array.isArray(value)) return value.every(isText) && value.length ? value.map((v) => v[lang]).join("; ") : value.join(", ");
      return String(value);
    });
  return { vi: fill("vi"), en: fill("en") };
}

export function fieldError(question: string, code: ProblemCode, custom?: Text): FieldError {
  const text = custom ?? PROBLEMS[code];
  return { question, code, message_vi: text.vi, message_en: text.en };
}
