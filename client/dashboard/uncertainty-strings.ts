/** Texts about uncertainty (intervals, design effects, reliability, year-on-year changes), Vietnamese and English. */
import type { Text } from "../../shared/i18n.js";

export const U = {
  ci: { vi: "KTC 95%", en: "95% CI" },
  ciLong: { vi: "Khoảng tin cậy 95%", en: "95% confidence interval" },
  deff: { vi: "Hệ số thiết kế", en: "Design effect" },
  deffShort: { vi: "HSTK", en: "deff" },
  nEff: { vi: "Cỡ mẫu hiệu dụng", en: "Effective n" },
  nEffShort: { vi: "n hiệu dụng", en: "n eff." },
  se: { vi: "Sai số chuẩn", en: "Standard error" },
  tooltip: {
    vi: "{value}; khoảng tin cậy 95%: {lo}–{hi}; hệ số thiết kế {deff}; cỡ mẫu hiệu dụng {neff} (n = {n})",
    en: "{value}; 95% confidence interval: {lo}–{hi}; design effect {deff}; effective n {neff} (n = {n})",
  },
  noInterval: { vi: "{value}; không ước lượng được khoảng tin cậy", en: "{value}; no confidence interval can be estimated" },
  unreliable: { vi: "Ước lượng không đủ tin cậy", en: "Unreliable estimate" },
  unreliableMark: { vi: "*", en: "*" },
  unreliableNote: {
    vi: "* Ước lượng không đủ tin cậy theo các ngưỡng của thiết kế mẫu (cỡ mẫu hiệu dụng nhỏ, khoảng tin cậy quá rộng, hoặc quá ít bậc tự do): chỉ nên đọc như một chỉ dẫn. Di chuột vào giá trị để xem lý do.",
    en: "* Unreliable estimate by the sampling design's thresholds (small effective n, a confidence interval too wide, or too few degrees of freedom): read it as indicative only. Point at the value to see why.",
  },
  changeSignificant: {
    vi: "{name}: thay đổi {d} điểm so với đợt trước là có thật ở mức tin cậy 95% (khoảng tin cậy {lo} đến {hi}; hai mẫu độc lập).",
    en: "{name}: the change of {d} points since the earlier round is real at 95% confidence (interval {lo} to {hi}; independent samples).",
  },
  changeNoise: {
    vi: "{name}: thay đổi {d} điểm so với đợt trước nằm trong sai số (khoảng tin cậy 95% từ {lo} đến {hi}): chưa thể nói là có thay đổi.",
    en: "{name}'s change of {d} points since the earlier round is within the margin of error (95% interval {lo} to {hi}): it may be no change at all.",
  },
  rankRange: {
    vi: "Hạng {rank}/{of}: tính cả sai số, hạng thực có thể từ {best} đến {worst}.",
    en: "Rank {rank}/{of}: allowing for the margin of error, the true rank lies between {best} and {worst}.",
  },
  rankRangeShort: { vi: "khoảng {best}–{worst}", en: "between {best} and {worst}" },
  target: {
    met: { vi: "Mục tiêu ≥ {goal}: đã đạt, kể cả khi tính sai số (95%).", en: "Target ≥ {goal}: met, even allowing for the margin of error (95%)." },
    "not-met": {
      vi: "Mục tiêu ≥ {goal}: chưa đạt, kể cả khi tính sai số (95%).",
      en: "Target ≥ {goal}: not met, even allowing for the margin of error (95%).",
    },
    "cannot-tell": {
      vi: "Mục tiêu ≥ {goal}: chưa thể kết luận — mục tiêu nằm trong khoảng tin cậy 95%.",
      en: "Target ≥ {goal}: cannot tell — the target lies within the 95% confidence interval.",
    },
  } as Record<string, Text>,
  reasons: {
    effective_n: { vi: "cỡ mẫu hiệu dụng nhỏ", en: "small effective n" },
    width: { vi: "khoảng tin cậy quá rộng", en: "confidence interval too wide" },
    relative_width: { vi: "khoảng tin cậy quá rộng so với giá trị", en: "confidence interval too wide for the value" },
    df: { vi: "quá ít bậc tự do", en: "too few degrees of freedom" },
    no_variance: { vi: "không ước lượng được sai số", en: "no error can be estimated" },
  } as Record<string, Text>,
} satisfies Record<string, unknown>;
