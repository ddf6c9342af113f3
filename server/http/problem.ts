/** The one error type of the HTTP layer: a problem code from shared/errors.ts, its status and details. */
import { PROBLEMS, problemMessage, type FieldError, type ProblemBody, type ProblemCode } from "../../shared/errors.js";

/**
 * An error body lists at most this many field errors (then `errorCount` gives the total), and
 * each field name at most MAX_FIELD_NAME characters: a 1 MB body with 60,000 unknown keys must
 * not come back as a 10 MB error.
 */
export const MAX_LISTED_ERRORS = 100;
export const MAX_FIELD_NAME = 200;

export class Problem extends Error {
  constructor(
    readonly code: ProblemCode,
    readonly errors?: FieldError[],
    readonly detail?: unknown,
    /** A more specific message than the code's default, in both languages. */
    readonly text?: { vi: string; en: string },
  ) {
    super(`${code}${text ? `: ${text.en}` : ""}`);
  }

  get status(): number {
    return PROBLEMS[this.code].status;
  }

  body(): ProblemBody {
    const text = this.text ?? problemMessage(this.code, this.detail);
    return {
      error: {
        code: this.code,
        message_vi: text.vi,
        message_en: text.en,
        ...(this.errors ? listed(this.errors) : {}),
        ...(this.detail !== undefined ? { detail: this.detail } : {}),
      },
    };
  }
}

function listed(errors: FieldError[]): { errors: FieldError[]; errorCount?: number } {
  const shown = errors
    .slice(0, MAX_LISTED_ERRORS)
    .map((e) => (e.question.length > MAX_FIELD_NAME ? { ...e, question: `${e.question.slice(0, MAX_FIELD_NAME)}…` } : e));
  return errors.length > MAX_LISTED_ERRORS ? { errors: shown, errorCount: errors.length } : { errors: shown };
}
