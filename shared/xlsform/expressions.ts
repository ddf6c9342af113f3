/**
 * XLSForm expressions ↔ chiso expressions. chiso's language is already XLSForm's own subset
 * (`${q}`, `.`, and/or/not(), selected(), count-selected(), if(), arithmetic with div and mod,
 * comparisons, string-length(), number(), coalesce(), min(), max(), round(), today(), true(),
 * false()), so most expressions are kept as written. What differs:
 * - `date('2024-01-31')` becomes the text '2024-01-31' (chiso compares ISO dates as they are);
 * - XPath paths (`/data/q`, `../q`, `..`), namespaced functions (`jr:choice-name()`) and the
 *   functions chiso does not have (regex, int, sum, count, position, once, pulldata, …)
 *   are refused with the reason, since dropping them would change the form's meaning;
 * - on export, chiso's `/` (a synonym of div) is written as `div`, which is what XPath means.
 */
import { ExprSyntaxError, FUNCTIONS, parseExpr, tokenize, type Token } from "../expr/index.js";
import { printExpr } from "../expr/print.js";
import type { Text } from "../i18n.js";

export type Translation = { ok: true; text: string } | { ok: false; message: Text };

const SUPPORTED = Object.keys(FUNCTIONS)
  .map((f) => `${f}()`)
  .join(", ");

function refuse(vi: string, en: string): Translation {
  return { ok: false, message: { vi, en } };
}

/** The chiso expression for an XLSForm expression, or why it cannot be one. */
export function fromXlsform(source: string): Translation {
  const text = source.normalize("NFC").trim();
  const path = /(^|[\s(,=<>!+*-])\.\.|(^|[\s(,=<>!+*-])\/[A-Za-z_]|\/\s*[A-Za-z_][\w-]*\s*\//.exec(text);
  if (path || /(^|[\s(,])\.\.\//.test(text)) {
    return refuse(
      "Đường dẫn XPath (/data/q, ../q) không được hỗ trợ; hãy viết ${tên_câu_hỏi}.",
      "XPath paths (/data/q, ../q) are not supported; write ${question_name}.",
    );
  }
  const namespaced = /\b([A-Za-z][\w-]*:[A-Za-z][\w-]*)\s*\(/.exec(text);
  if (namespaced) {
    return refuse(`Hàm ${namespaced[1]}() không có trong chiso.`, `The function ${namespaced[1]}() is not available in chiso.`);
  }
  let tokens: Token[];
  try {
    tokens = tokenize(text);
  } catch (e) {
    if (e instanceof ExprSyntaxError) return syntaxError(e);
    throw e;
  }
  const rewritten = rewriteDates(text, tokens);
  try {
    parseExpr(rewritten);
  } catch (e) {
    if (!(e instanceof ExprSyntaxError)) throw e;
    const unknown = /^Unknown function '([^']+)'/.exec(e.message);
    if (unknown) {
      return refuse(
        `Hàm ${unknown[1]}() không có trong chiso; các hàm được hỗ trợ: ${SUPPORTED}.`,
        `The function ${unknown[1]}() is not available in chiso; supported functions: ${SUPPORTED}.`,
      );
    }
    return syntaxError(e);
  }
  return { ok: true, text: rewritten };
}

function syntaxError(e: ExprSyntaxError): Translation {
  const at = e.position + 1;
  const shown = `${e.source.slice(0, e.position)}⟨${e.source.slice(e.position, e.position + 1) || "…"}⟩`;
  // The parser's own first line says the most (e.g. that text needs quotes), without the caret drawing.
  const reason = e.message.split("\n")[0]!.replace(/ at position \d+$/, "");
  const bareWord = /^'[A-Za-z_][\w-]*'$/.test(e.found) && /text values need quotes/.test(reason);
  const found = e.found === "end of expression" ? "hết biểu thức" : e.found;
  return refuse(
    bareWord
      ? `Biểu thức sai ở vị trí ${at}: ${found} là chữ nên phải đặt trong dấu nháy, ví dụ ${found} — ${shown}`
      : `Biểu thức sai cú pháp ở vị trí ${at} (gặp ${found}) — ${shown}`,
    `Syntax error at position ${at}: ${reason} — ${shown}`,
  );
}

/** `date('YYYY-MM-DD')` → `'YYYY-MM-DD'`, rewriting only those spans of the text. */
function rewriteDates(text: string, tokens: Token[]): string {
  let out = "";
  let last = 0;
  for (let i = 0; i + 3 < tokens.length; i++) {
    const [name, open, arg, close] = [tokens[i]!, tokens[i + 1]!, tokens[i + 2]!, tokens[i + 3]!];
    if (name.kind !== "name" || name.name !== "date") continue;
    if (open.kind !== "punct" || open.op !== "(" || arg.kind !== "string" || close.kind !== "punct" || close.op !== ")") continue;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(arg.value)) continue;
    out += text.slice(last, name.pos) + arg.text;
    last = close.pos + 1;
    i += 3;
  }
  return out + text.slice(last);
}

/** The XLSForm text of a chiso expression: as written, unless it divides with `/`. */
export function toXlsform(source: string): string {
  const tokens = tokenize(source);
  if (!tokens.some((t) => t.kind === "punct" && t.op === "/")) return source;
  return printExpr(parseExpr(source));
}
