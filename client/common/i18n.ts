/** Language of the web clients: Vietnamese by default, English one tap away, the choice remembered on the device. */
import { useEffect, useState } from "preact/hooks";
import type { Lang, Text } from "../../shared/i18n.js";
import { UNIT_LEVEL_NAMES as LEVEL_NAMES } from "../../shared/units/levels.js";

export type { Lang, Text };

// shared/i18n.ts also defines zod schemas; importing only its types keeps zod out of the browser bundles.
export function tr(text: Text, lang: Lang): string {
  return text[lang];
}

const KEY = "chiso.lang";
const listeners = new Set<(lang: Lang) => void>();

export function storedLang(): Lang {
  try {
    return localStorage.getItem(KEY) === "en" ? "en" : "vi";
  } catch {
    return "vi"; // storage blocked (private mode): still usable, just not remembered
  }
}

export function setLang(lang: Lang): void {
  try {
    localStorage.setItem(KEY, lang);
  } catch {
    /* not remembered, still switched */
  }
  document.documentElement.lang = lang;
  for (const listener of listeners) listener(lang);
}

/** The current language; every component using it re-renders when it changes. */
export function useLang(): Lang {
  const [lang, set] = useState<Lang>(storedLang);
  useEffect(() => {
    document.documentElement.lang = lang;
    listeners.add(set);
    return () => void listeners.delete(set);
  }, []);
  return lang;
}

/**
 * The message of a refusal. Every problem the server sends carries its message in both languages
 * (shared/errors.ts), so the browser does not ship the list of codes (it would weigh on the
 * respondent form); a reply without one, such as a proxy's error page, reads as a system error.
 */
export function problemText(error: { message_vi?: string; message_en?: string } | undefined, lang: Lang): string {
  if (error?.message_vi && error.message_en) return lang === "vi" ? error.message_vi : error.message_en;
  return tr(COMMON.systemError, lang);
}

/** Texts shared by the respondent form and the enumerator app. */
export const COMMON = {
  required: { vi: "bắt buộc", en: "required" },
  next: { vi: "Tiếp theo", en: "Next" },
  back: { vi: "Quay lại", en: "Back" },
  start: { vi: "Bắt đầu", en: "Start" },
  submit: { vi: "Gửi phiếu", en: "Submit" },
  loading: { vi: "Đang tải…", en: "Loading…" },
  systemError: { vi: "Lỗi hệ thống.", en: "Internal error." },
  switchTo: { vi: "English", en: "Tiếng Việt" },
  switchLabel: { vi: "Switch to English", en: "Chuyển sang tiếng Việt" },
  pageOf: { vi: "Phần {n}/{total}", en: "Part {n} of {total}" },
  partOf: { vi: "phần {n}/{total}", en: "part {n} of {total}" },
  answeredOf: { vi: "Đã trả lời {n}/{total} câu", en: "{n} of {total} questions answered" },
  unit: { vi: "Đơn vị của Ông/Bà (thôn, tổ dân phố…)", en: "Your unit (village, residential group…)" },
  unitHint: {
    vi: "Gõ vài chữ của tên thôn, xã hoặc tỉnh, có dấu hoặc không dấu.",
    en: "Type part of the name of the village, commune or province, with or without Vietnamese accents.",
  },
  unitBrowse: { vi: "Chọn từ danh sách", en: "Choose from a list" },
  unitBrowseUp: { vi: "Quay lại {name}", en: "Back to {name}" },
  unitBrowseClose: { vi: "Đóng danh sách", en: "Close the list" },
  unitBrowseList: { vi: "Các đơn vị trong {name}", en: "Units in {name}" },
  unitSearch: { vi: "Tìm đơn vị", en: "Find the unit" },
  unitChange: { vi: "Chọn đơn vị khác", en: "Choose another unit" },
  unitNone: { vi: "Không tìm thấy đơn vị nào.", en: "No unit found." },
  unitResults: { vi: "{n} kết quả", en: "{n} result(s)" },
  unitOffline: { vi: "Không có kết nối mạng để tìm đơn vị. Vui lòng thử lại.", en: "No connection to search units. Please try again." },
  unitChosen: { vi: "Đã chọn", en: "Selected" },
  group: { vi: "Ông/Bà trả lời với tư cách", en: "You are answering as" },
  chooseUnit: { vi: "Vui lòng chọn đơn vị.", en: "Please choose a unit." },
  chooseGroup: { vi: "Vui lòng chọn một lựa chọn.", en: "Please choose one option." },
  unitSearching: { vi: "Đang tìm…", en: "Searching…" },
  progress: { vi: "Tiến độ", en: "Progress" },
  offScale: { vi: "Ngoài thang điểm", en: "Off the scale" },
  errorSummary: { vi: "Có {n} câu cần xem lại", en: "{n} question(s) need attention" },
  errorTitle: { vi: "Lỗi: {title}", en: "Error: {title}" },
} satisfies Record<string, Text>;

/** Fills {name} placeholders. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => String(values[k] ?? ""));
}

/** Names of unit levels (and the respondent-group breakdown), shared by the dashboard and administration. */
export const UNIT_LEVEL_NAMES: Record<string, Text> = {
  ...LEVEL_NAMES,
  group: { vi: "Nhóm người trả lời", en: "Respondent group" },
};
