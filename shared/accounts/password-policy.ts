/**
 * The password policy, shared by the server (which enforces it) and the administration screens
 * (which explain it while typing): at least 12 characters, at most 200, and not guessable — the
 * zxcvbn strength estimate must reach 3 of 4, with the username and display name counted as known
 * words, and what is left once they are removed must reach it on its own ("can-bo-123456" for the
 * user "can-bo" is judged as "-123456"). Only signed-in pages import this module: its dictionaries
 * never reach the respondent form.
 */
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import * as common from "@zxcvbn-ts/language-common";
import type { Text } from "../i18n.js";
import { foldVietnamese } from "../text.js";

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 200;
/** zxcvbn score 3: "safely unguessable", about 10^8 guesses or more. */
export const PASSWORD_MIN_SCORE = 3;

let estimator: ZxcvbnFactory | null = null;
function zxcvbn(): ZxcvbnFactory {
  // Built on first use: ranking the dictionaries takes ~50 ms.
  estimator ??= new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
  return estimator;
}

/** Why zxcvbn judged a password weak, in both languages (its own messages are English-only keys). */
const WARNINGS: Record<string, Text> = {
  straightRow: { vi: "Các phím liền nhau trên bàn phím rất dễ đoán.", en: "Straight rows of keys are easy to guess." },
  keyPattern: { vi: "Mẫu phím ngắn rất dễ đoán.", en: "Short keyboard patterns are easy to guess." },
  simpleRepeat: { vi: "Ký tự lặp lại như “aaa” rất dễ đoán.", en: "Repeated characters like “aaa” are easy to guess." },
  extendedRepeat: { vi: "Chuỗi lặp lại như “abcabc” rất dễ đoán.", en: "Repeated patterns like “abcabc” are easy to guess." },
  sequences: { vi: "Dãy như “abc” hay “123” rất dễ đoán.", en: "Sequences like “abc” or “123” are easy to guess." },
  recentYears: { vi: "Các năm gần đây rất dễ đoán.", en: "Recent years are easy to guess." },
  dates: { vi: "Ngày tháng rất dễ đoán.", en: "Dates are easy to guess." },
  topTen: { vi: "Đây là một trong những mật khẩu phổ biến nhất.", en: "This is one of the most common passwords." },
  topHundred: { vi: "Đây là một mật khẩu rất phổ biến.", en: "This is a very common password." },
  common: { vi: "Đây là một mật khẩu phổ biến.", en: "This is a commonly used password." },
  similarToCommon: { vi: "Mật khẩu gần giống một mật khẩu phổ biến.", en: "This is similar to a commonly used password." },
  wordByItself: { vi: "Một từ đơn lẻ rất dễ đoán.", en: "Single words are easy to guess." },
  namesByThemselves: { vi: "Tên người đứng riêng rất dễ đoán.", en: "Names on their own are easy to guess." },
  commonNames: { vi: "Tên phổ biến rất dễ đoán.", en: "Common names are easy to guess." },
  userInputs: { vi: "Mật khẩu không được chứa tên đăng nhập hay tên hiển thị.", en: "The password must not contain the username or display name." },
};

export type PasswordVerdict = { ok: true; score: number } | { ok: false; score: number; reason: "too_short" | "too_long" | "guessable"; text: Text };

/** Judges a password; `userInputs` are words an attacker knows (username, display name). */
export function judgePassword(password: string, userInputs: ReadonlyArray<string> = []): PasswordVerdict {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) {
    return {
      ok: false,
      score: 0,
      reason: "too_short",
      text: {
        vi: `Mật khẩu cần ít nhất ${PASSWORD_MIN_LENGTH} ký tự (hiện có ${length}).`,
        en: `The password needs at least ${PASSWORD_MIN_LENGTH} characters (it has ${length}).`,
      },
    };
  }
  if (length > PASSWORD_MAX_LENGTH) {
    return {
      ok: false,
      score: 0,
      reason: "too_long",
      text: { vi: `Mật khẩu dài tối đa ${PASSWORD_MAX_LENGTH} ký tự.`, en: `The password may have at most ${PASSWORD_MAX_LENGTH} characters.` },
    };
  }
  const names = [...new Set(userInputs.flatMap((s) => [s, foldVietnamese(s), ...foldVietnamese(s).split(/[\s._-]+/)]).map((s) => s.toLowerCase()))]
    .filter((s) => s.length >= 3)
    .sort((a, b) => b.length - a.length);
  let result = zxcvbn().check(password, names);
  let usesName = result.sequence.some((m) => m.pattern === "dictionary" && m.dictionaryName === "userInputs");
  const folded = foldVietnamese(password);
  const rest = names.reduce((left, name) => left.split(name).join(""), folded);
  if (rest !== folded && result.score >= PASSWORD_MIN_SCORE) {
    const restResult = zxcvbn().check(rest, names);
    if (restResult.score < result.score) [result, usesName] = [restResult, true];
  }
  if (result.score >= PASSWORD_MIN_SCORE) return { ok: true, score: result.score };
  const why = WARNINGS[usesName ? "userInputs" : (result.feedback.warning ?? "")];
  return {
    ok: false,
    score: result.score,
    reason: "guessable",
    text: {
      vi: `Mật khẩu quá dễ đoán. ${why ? `${why.vi} ` : ""}Hãy dùng vài từ không liên quan hoặc một chuỗi ngẫu nhiên dài hơn.`,
      en: `The password is too easy to guess. ${why ? `${why.en} ` : ""}Use several unrelated words or a longer random string.`,
    },
  };
}
