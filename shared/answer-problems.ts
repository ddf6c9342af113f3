/**
 * The problems of an answer (422), part of the closed set of shared/errors.ts. The respondent form
 * checks answers as they are typed with the same rules as the server (shared/instrument/validate.ts),
 * so it needs these messages; they live apart so that the browser does not ship every other code.
 */
import type { Text } from "./i18n.js";

export const ANSWER_PROBLEMS = {
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
  invalid_field: { status: 422, vi: "Trường dữ liệu không hợp lệ.", en: "A field is not valid." },
} as const satisfies Record<string, { status: 422 } & Text>;

export type AnswerProblemCode = keyof typeof ANSWER_PROBLEMS;

/** One answer's problem, shaped as a FieldError of shared/errors.ts: which question, which code, why in both languages. */
export function answerError(
  question: string,
  code: AnswerProblemCode,
  custom?: Text,
): { question: string; code: AnswerProblemCode; message_vi: string; message_en: string } {
  const text = custom ?? ANSWER_PROBLEMS[code];
  return { question, code, message_vi: text.vi, message_en: text.en };
}
