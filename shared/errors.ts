/**
 * The closed set of problems chiso reports, shared by server and client.
 * Each code carries its HTTP status and a message in Vietnamese and English; the server's single
 * error handler and the client's error display both read from here.
 */
import type { Text } from "./i18n.js";

export const PROBLEMS = {
  // --- request shape (400/413/415) ---
  malformed_json: { status: 400, vi: "Dữ liệu gửi lên không phải JSON hợp lệ.", en: "The request body is not valid JSON." },
  bad_request: { status: 400, vi: "Yêu cầu không hợp lệ.", en: "The request is not valid." },
  payload_too_large: { status: 413, vi: "Dữ liệu gửi lên quá lớn.", en: "The request body is too large." },
  unsupported_media_type: {
    status: 415,
    vi: "Chỉ nhận dữ liệu JSON (Content-Type: application/json).",
    en: "Only JSON is accepted (Content-Type: application/json).",
  },
  // --- lookups (404) ---
  not_found: { status: 404, vi: "Không tìm thấy.", en: "Not found." },
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
  already_exists: { status: 409, vi: "Đã có một bản ghi với giá trị này.", en: "A record with this value already exists." },
  // --- validation (422) ---
  invalid: { status: 422, vi: "Có mục chưa hợp lệ: xem từng lỗi kèm theo.", en: "Some fields are not valid: see each error listed." },
  required: { status: 422, vi: "Câu hỏi này bắt buộc trả lời.", en: "This question is required." },
  unknown_question: { status: 422, vi: "Câu hỏi không có trong bộ câu hỏi.", en: "The question is not part of this questionnaire." },
  not_relevant: {
    status: 422,
    vi: "Câu hỏi này không áp dụng theo các câu trả lời trước, không được trả lời.",
    en: "This question does not apply given earlier answers and must not be answered.",
  },
  wrong_type: { status: 422, vi: "Kiểu câu trả lời không đúng.", en: "The answer has the wrong type." },
  invalid_choice: { status: 422, vi: "Lựa chọn không có trong danh sách.", en: "The choice is not one of the options." },
  too_many_choices: { status: 422, vi: "Chọn quá số lượng cho phép.", en: "Too many options selected." },
  out_of_range: { status: 422, vi: "Giá trị nằm ngoài khoảng cho phép.", en: "The value is outside the allowed range." },
  too_long: { status: 422, vi: "Nội dung quá dài.", en: "The text is too long." },
  invalid_date: { status: 422, vi: "Ngày không hợp lệ (định dạng YYYY-MM-DD).", en: "Not a valid date (format YYYY-MM-DD)." },
  constraint: { status: 422, vi: "Câu trả lời không thỏa điều kiện.", en: "The answer does not meet the condition." },
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
  invalid_field: { status: 422, vi: "Trường dữ liệu không hợp lệ.", en: "A field is not valid." },
  weak_password: { status: 422, vi: "Mật khẩu chưa đủ mạnh.", en: "The password is not strong enough." },
  // --- auth (401/403/429) ---
  unauthenticated: { status: 401, vi: "Cần đăng nhập.", en: "Sign-in required." },
  forbidden: { status: 403, vi: "Không có quyền thực hiện.", en: "Not allowed." },
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

export function fieldError(question: string, code: ProblemCode, custom?: Text): FieldError {
  const text = custom ?? PROBLEMS[code];
  return { question, code, message_vi: text.vi, message_en: text.en };
}
