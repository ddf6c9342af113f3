/** The password policy applied where a password is chosen (API, command line, CHISO_ADMIN_PASSWORD): 422 weak_password naming the field. */
import { Problem } from "../http/problem.js";
import { fieldError } from "../../shared/errors.js";
import { judgePassword } from "../../shared/accounts/password-policy.js";

/** Throws 422 `weak_password` with the field and the reason in both languages; `userInputs`: the account's username and display name. */
export function requireStrongPassword(password: string, userInputs: ReadonlyArray<string>, field = "password"): void {
  const verdict = judgePassword(password, userInputs);
  if (verdict.ok) return;
  throw new Problem("weak_password", [fieldError(field, "weak_password", verdict.text)], { field, reason: verdict.reason }, verdict.text);
}
