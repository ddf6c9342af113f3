/**
 * A questionnaire as a provincial survey team would write it in Excel: a Vietnamese and English
 * satisfaction survey about clean-water services, first with the mistakes people make, then
 * corrected; and the index tree the team attaches to score it.
 */
import type { Rows } from "./build.js";

const SURVEY_HEADER = [
  "type",
  "name",
  "label::Tiếng Việt (vi)",
  "label::English (en)",
  "hint::Tiếng Việt (vi)",
  "hint::English (en)",
  "required",
  "relevant",
  "constraint",
  "constraint_message::Tiếng Việt (vi)",
  "constraint_message::English (en)",
  "appearance",
];

const CHOICES: Rows = [
  ["list_name", "name", "label::Tiếng Việt (vi)", "label::English (en)", "chiso::value", "chiso::outside"],
  ["co_khong", "yes", "Có", "Yes", "", ""],
  ["co_khong", "no", "Không", "No", "", ""],
  ["hai_long", "1", "Rất không hài lòng", "Very dissatisfied", 1, ""],
  ["hai_long", "2", "Không hài lòng", "Dissatisfied", 2, ""],
  ["hai_long", "3", "Bình thường", "Neutral", 3, ""],
  ["hai_long", "4", "Hài lòng", "Satisfied", 4, ""],
  ["hai_long", "5", "Rất hài lòng", "Very satisfied", 5, ""],
  ["hai_long", "dk", "Không biết", "Don't know", "", "yes"],
];

const SETTINGS: Rows = [
  ["form_id", "version", "form_title", "chiso::title::English (en)", "chiso::unit_level", "instance_name"],
  [
    "nuoc-sach-2026",
    "1.0.0",
    "Khảo sát hài lòng về dịch vụ nước sạch 2026",
    "Clean-water service satisfaction survey 2026",
    "village",
    "concat('Hộ ', ${so_nguoi})",
  ],
];

const GROUPS: Rows = [
  ["code", "label::Tiếng Việt (vi)", "label::English (en)"],
  ["ho_dan", "Hộ dân", "Households"],
];

/** The first draft: five mistakes on five rows of two sheets. */
export const DRAFT: Record<string, Rows> = {
  survey: [
    SURVEY_HEADER,
    ["begin group", "dich_vu", "Dịch vụ nước sạch", "Clean-water service", "", "", "", "", "", "", "", ""],
    ["select_one co_khong", "da_dung", "Hộ có dùng nước máy không?", "Does the household use piped water?", "", "", "yes", "", "", "", "", ""],
    [
      "integer",
      "so_nguoi",
      "Số người trong hộ",
      "People in the household",
      "",
      "",
      "yes",
      "",
      ". >= 1 and . <= 30",
      "Từ 1 đến 30 người",
      "Between 1 and 30",
      "",
    ],
    ["begin group", "danh_gia", "Mức độ hài lòng", "Satisfaction", "", "", "", "${da_dung} = yes", "", "", "", "field-list"],
    ["select_one hai_long", "TT_Nhanh", "Tốc độ xử lý sự cố", "How fast faults are fixed", "", "", "yes", "", "", "", "", "likert"],
    ["select_one hai_long", "tt_lich_su", "Thái độ của nhân viên", "Staff attitude", "", "", "yes", "", ". != 'dk'", "", "", "likert"],
    ["end group", "", "", "", "", "", "", "", "", "", "", ""],
    ["calculate", "tong", "", "", "", "", "", "", "", "", "", ""],
    ["end group", "", "", "", "", "", "", "", "", "", "", ""],
  ],
  choices: [...CHOICES.slice(0, 6), ["hai_long", "5", "", "", 5, ""], ...CHOICES.slice(7)],
  settings: SETTINGS,
  chiso_groups: GROUPS,
};

/** The corrected workbook. */
export const FIXED: Record<string, Rows> = {
  survey: [
    SURVEY_HEADER,
    ["begin group", "dich_vu", "Dịch vụ nước sạch", "Clean-water service", "", "", "", "", "", "", "", ""],
    ["select_one co_khong", "da_dung", "Hộ có dùng nước máy không?", "Does the household use piped water?", "", "", "yes", "", "", "", "", ""],
    [
      "integer",
      "so_nguoi",
      "Số người trong hộ",
      "People in the household",
      "",
      "",
      "yes",
      "",
      ". >= 1 and . <= 30",
      "Từ 1 đến 30 người",
      "Between 1 and 30",
      "",
    ],
    ["begin group", "danh_gia", "Mức độ hài lòng", "Satisfaction", "", "", "", "${da_dung} = 'yes'", "", "", "", "field-list"],
    ["select_one hai_long", "tt_nhanh", "Tốc độ xử lý sự cố", "How fast faults are fixed", "", "", "yes", "", "", "", "", "likert"],
    ["select_one hai_long", "tt_lich_su", "Thái độ của nhân viên", "Staff attitude", "", "", "yes", "", "", "", "", "likert"],
    ["end group", "", "", "", "", "", "", "", "", "", "", ""],
    ["end group", "", "", "", "", "", "", "", "", "", "", ""],
  ],
  choices: CHOICES,
  settings: SETTINGS,
  chiso_groups: GROUPS,
};

/** index.json for the corrected form: the share satisfied (4 or 5) per item, averaged. */
export const INDEX = {
  id: "nuoc-sach-2026",
  instrument: "nuoc-sach-2026",
  title: { vi: "Chỉ số hài lòng về dịch vụ nước sạch 2026", en: "Clean-water satisfaction index 2026" },
  display: "percent",
  root: {
    code: "NS",
    level: "index",
    label: { vi: "Chỉ số hài lòng về dịch vụ nước sạch", en: "Clean-water satisfaction index" },
    aggregate: { type: "mean" },
    children: [
      {
        code: "NS.1",
        level: "component",
        label: { vi: "Phục vụ", en: "Service" },
        aggregate: { type: "mean" },
        children: [
          {
            code: "NS.1.1",
            level: "item",
            label: { vi: "Tốc độ xử lý sự cố", en: "Fault repair speed" },
            question: "tt_nhanh",
            rule: { type: "share", codes: ["4", "5"] },
          },
          {
            code: "NS.1.2",
            level: "item",
            label: { vi: "Thái độ nhân viên", en: "Staff attitude" },
            question: "tt_lich_su",
            rule: { type: "share", codes: ["4", "5"] },
          },
        ],
      },
    ],
  },
};
