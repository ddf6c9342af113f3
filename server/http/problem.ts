/** The one error type of the HTTP layer: a problem code from shared/errors.ts, its status and details. */
import { PROBLEMS, type FieldError, type ProblemBody, type ProblemCode } from "../../shared/errors.js";

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
    const text = this.text ?? PROBLEMS[this.code];
    return {
      error: {
        code: this.code,
        message_vi: text.vi,
        message_en: text.en,
        ...(this.errors ? { errors: this.errors } : {}),
        ...(this.detail !== undefined ? { detail: this.detail } : {}),
      },
    };
  }
}
