/**
 * What an export contains: raw responses wide (one row per response) or long (one row per answer),
 * and the codebook (index results as report appendices: server/exports/appendix.ts). Responses are read
 * in keyset pages (round_id = ? and id > last order by id limit 1000): constant memory, no long read
 * transaction, so submissions arriving meanwhile are never held up.
 */
import type { Kysely } from "kysely";
import type { AppContext } from "../app-context.js";
import type { Database } from "../db/types.js";
import type { Round } from "../rounds/repository.js";
import type { AnswerValue, Instrument } from "../../shared/instrument/schema.js";
import { answerableQuestions, choicesOf } from "../../shared/instrument/walk.js";
import type { Cell, Column, Table } from "./writers.js";
import { dataCoding, dataTable } from "./statistical.js";
import { PLACE_LEVELS, UNIT_LEVEL_NAMES, type UnitLevel } from "../../shared/units/levels.js";

/** `data`: the wide layout coded for statistical software (server/exports/statistical.ts). */
export const LAYOUTS = ["wide", "long", "data", "codebook", "results"] as const;
export type Layout = (typeof LAYOUTS)[number];

export const PAGE_SIZE = 1000;
const ANSWER_BATCH = 250;

const col = (key: string, vi: string, en: string, type: Column["type"] = "text", width?: number): Column => ({
  key,
  label: { vi, en },
  type,
  ...(width ? { width } : {}),
});

/** Responses of a round, page by page in id order. */
async function* responsePages<K extends keyof Database["responses"]>(
  db: Kysely<Database>,
  roundId: string,
  columns: readonly K[],
): AsyncGenerator<Array<Pick<Database["responses"], K | "id">>> {
  let last = "";
  for (;;) {
    const page = (await db
      .selectFrom("responses")
      .select(["id", ...columns] as Array<K | "id">)
      .where("round_id", "=", roundId)
      // Anonymous (invitation) responses are never exported one by one (docs/decisions/0008-anonymous-credentials.md).
      .where("channel", "!=", "invitation")
      .where("id", ">", last)
      .orderBy("id")
      .limit(PAGE_SIZE)
      .execute()) as unknown as Array<Pick<Database["responses"], K | "id">>;
    if (page.length === 0) return;
    yield page;
    if (page.length < PAGE_SIZE) return;
    last = page[page.length - 1]!.id;
  }
}

async function responseCount(db: Kysely<Database>, roundId: string): Promise<number> {
  const row = await db
    .selectFrom("cell_totals")
    .select((eb) => eb.fn.sum<number>("n").as("n"))
    .where("round_id", "=", roundId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Where rows are read from: the server's own connection and unit directory, or an export worker's
 * read-only connection and unit lookups (server/exports/export-worker.ts). Both give the same rows.
 */
export interface RowSource {
  kysely: Kysely<Database>;
  units: UnitLineage;
}

export interface UnitLineage {
  /** Called with a page's unit keys before `lineage` is asked about them (a worker reads them then). */
  load(keys: readonly string[]): Promise<void>;
  /** The unit and its ancestors, nearest first; empty for a unit not known. */
  lineage(key: string): ReadonlyArray<{ key: string; level: string; fullName: string }>;
}

/** The server's connection and its in-memory unit directory. */
export function serverSource(ctx: AppContext): RowSource {
  return { kysely: ctx.db.kysely, units: { load: () => Promise.resolve(), lineage: (key) => ctx.units.lineage(key) } };
}

/** Unit levels above the instrument's, present in the round's registry (province, district, commune). */
export function ancestorLevels(ctx: AppContext, round: Round, instrument: Instrument): string[] {
  const own = instrument.unitLevel === "agency" ? 1 : (PLACE_LEVELS as readonly string[]).indexOf(instrument.unitLevel);
  return PLACE_LEVELS.slice(0, Math.max(0, own)).filter((level) => ctx.units.atLevel(round.registry, level).length > 0);
}

/**
 * One row per response, one column per question in questionnaire order (grid rows unrolled).
 * Invitation (leader survey) responses carry no device or enumerator and no time finer than the day.
 */
export async function wideTable(source: RowSource, round: Round, instrument: Instrument, levels: readonly string[]): Promise<Table> {
  const questions = answerableQuestions(instrument);
  const columns: Column[] = [
    col("_id", "Mã phiếu", "Response id", "text", 38),
    col("_unit", "Mã đơn vị", "Unit key", "text", 16),
    col("_unit_name", "Đơn vị", "Unit", "text", 36),
    ...levels.map((l) => col(`_${l}`, UNIT_LEVEL_NAMES[l as UnitLevel].vi, UNIT_LEVEL_NAMES[l as UnitLevel].en, "text", 24)),
    col("_group", "Nhóm người trả lời", "Respondent group", "text", 14),
    col("_channel", "Kênh", "Channel", "text", 12),
    col("_device", "Thiết bị", "Device", "text", 14),
    col("_enumerator", "Điều tra viên", "Enumerator", "text", 14),
    col("_started", "Bắt đầu", "Started", "text", 22),
    col("_submitted", "Nộp", "Submitted", "text", 22),
    col("_received", "Ngày nhận", "Received on", "text", 12),
    // Device times are kept as reported; these say how far the device's clock was off and why to check them.
    col("_clock_offset_s", "Độ lệch đồng hồ máy (giây)", "Device clock offset (s)", "number", 12),
    col("_time_review", "Cần kiểm tra thời gian", "Times to review", "text", 16),
    col("_weight", "Trọng số", "Weight", "number", 10),
    ...questions.map(({ question, grid }) => {
      const label = grid ? { vi: `${grid.label.vi} — ${question.label.vi}`, en: `${grid.label.en} — ${question.label.en}` } : question.label;
      const type: Column["type"] = question.type === "integer" || question.type === "decimal" ? "number" : question.type === "multiple" ? "codes" : "text";
      return { key: question.id, label, type, width: Math.min(30, Math.max(8, question.id.length + 2)) };
    }),
  ];
  const unitCells = new Map<string, Cell[]>();
  const unitColumns = (key: string): Cell[] => {
    let cells = unitCells.get(key);
    if (!cells) {
      const lineage = source.units.lineage(key);
      const u = lineage[0]?.key === key ? lineage[0] : undefined;
      cells = [key, u?.fullName ?? null, ...levels.map((l) => lineage.find((a) => a.level === l)?.fullName ?? null)];
      if (unitCells.size < 50_000) unitCells.set(key, cells);
    }
    return cells;
  };
  const value = (v: AnswerValue | undefined): Cell => (v === undefined ? null : Array.isArray(v) ? v : v);
  const day = (s: string | null) => (s ? s.slice(0, 10) : null);
  return {
    name: `${round.id}-wide`,
    columns,
    total: await responseCount(source.kysely, round.id),
    async *rows(report) {
      let done = 0;
      const wanted = [
        "unit_key",
        "group_code",
        "channel",
        "device_id",
        "enumerator_id",
        "started_at",
        "submitted_at",
        "received_on",
        "clock_offset_s",
        "time_review",
        "weight",
        "payload_json",
      ] as const;
      for await (const page of responsePages(source.kysely, round.id, wanted)) {
        await source.units.load(page.map((r) => r.unit_key));
        for (const r of page) {
          const answers = (JSON.parse(r.payload_json) as { answers?: Record<string, AnswerValue> }).answers ?? {};
          const anonymous = r.channel === "invitation";
          yield [
            r.id,
            ...unitColumns(r.unit_key),
            r.group_code,
            r.channel,
            anonymous ? null : r.device_id,
            anonymous ? null : r.enumerator_id,
            anonymous ? day(r.started_at) : r.started_at,
            anonymous ? day(r.submitted_at) : r.submitted_at,
            r.received_on,
            anonymous ? null : (r.clock_offset_s ?? null),
            anonymous ? null : (r.time_review ?? null),
            r.weight,
            ...questions.map(({ question }) => value(answers[question.id])),
          ];
        }
        done += page.length;
        report?.(done);
      }
    },
  };
}

/** One row per answer (one per selected code of a multiple choice), from the answers table. */
export async function longTable(source: RowSource, round: Round, instrument: Instrument): Promise<Table> {
  const order = new Map(answerableQuestions(instrument).map((item, i) => [item.question.id, i]));
  const columns: Column[] = [
    col("_id", "Mã phiếu", "Response id", "text", 38),
    col("_unit", "Mã đơn vị", "Unit key", "text", 16),
    col("_group", "Nhóm người trả lời", "Respondent group", "text", 14),
    col("question", "Câu hỏi", "Question", "text", 24),
    col("seq", "Thứ tự lựa chọn", "Choice position", "number", 8),
    col("code", "Mã trả lời", "Answer code", "text", 12),
    col("num", "Giá trị số", "Number", "number", 12),
    col("text", "Nội dung", "Text", "text", 40),
  ];
  return {
    name: `${round.id}-long`,
    columns,
    total: await responseCount(source.kysely, round.id),
    async *rows(report) {
      let done = 0;
      for await (const page of responsePages(source.kysely, round.id, ["unit_key", "group_code"] as const)) {
        // A response has ~100 answers: they are read for a quarter of the page at a time.
        for (let i = 0; i < page.length; i += ANSWER_BATCH) {
          const part = page.slice(i, i + ANSWER_BATCH);
          const answers = await source.kysely
            .selectFrom("answers")
            .select(["response_id", "question_id", "seq", "code", "num", "text"])
            .where(
              "response_id",
              "in",
              part.map((r) => r.id),
            )
            .execute();
          const byResponse = new Map<string, typeof answers>();
          for (const a of answers) {
            const list = byResponse.get(a.response_id);
            if (list) list.push(a);
            else byResponse.set(a.response_id, [a]);
          }
          for (const r of part) {
            const list = (byResponse.get(r.id) ?? []).sort((a, b) => (order.get(a.question_id) ?? 1e9) - (order.get(b.question_id) ?? 1e9) || a.seq - b.seq);
            for (const a of list) yield [r.id, r.unit_key, r.group_code, a.question_id, a.seq, a.code, a.num === null ? null : Number(a.num), a.text];
          }
        }
        done += page.length;
        report?.(done);
      }
    },
  };
}

/** A raw export (one row per response or per answer) as plain data: what an export worker needs to read its rows itself. */
export interface RawJob {
  layout: "wide" | "long" | "data";
  round: Round;
  instrument: Instrument;
  /** Unit levels of the wide layout's place columns (ancestorLevels, from the server's unit directory). */
  levels: string[];
}

export async function rawTable(source: RowSource, job: RawJob): Promise<Table> {
  if (job.layout === "long") return longTable(source, job.round, job.instrument);
  const wide = await wideTable(source, job.round, job.instrument, job.levels);
  return job.layout === "data" ? dataTable(wide, job.instrument) : wide;
}

/** Questions, types, codes and labels in both languages, scales, conditions: what the raw exports mean. */
export function codebookTable(instrument: Instrument): Table {
  const columns: Column[] = [
    col("question", "Câu hỏi", "Question", "text", 24),
    col("section", "Phần", "Section", "text", 16),
    col("grid", "Bảng", "Grid", "text", 12),
    col("type", "Kiểu", "Type", "text", 10),
    col("label_vi", "Nội dung (tiếng Việt)", "Label (Vietnamese)", "text", 60),
    col("label_en", "Nội dung (tiếng Anh)", "Label (English)", "text", 60),
    col("scale", "Thang đo", "Scale", "text", 14),
    col("code", "Mã trả lời", "Answer code", "text", 10),
    col("value", "Giá trị trên thang", "Scale value", "number", 8),
    col("outside", "Ngoài thang (không tính)", "Outside the scale", "text", 8),
    col("code_label_vi", "Nhãn (tiếng Việt)", "Code label (Vietnamese)", "text", 36),
    col("code_label_en", "Nhãn (tiếng Anh)", "Code label (English)", "text", 36),
    col("required", "Bắt buộc", "Required", "text", 10),
    col("relevant", "Điều kiện hiển thị", "Shown when", "text", 30),
    col("illustrative", "Minh họa", "Illustrative", "text", 8),
    // How the data layout (layout=data) names the question and codes its answers.
    col("variable", "Tên biến (layout=data)", "Variable (layout=data)", "text", 24),
    col("data_value", "Giá trị số (layout=data)", "Number (layout=data)", "number", 8),
  ];
  const coding = dataCoding(instrument);
  const rows: Cell[][] = [];
  for (const { question, section, grid, relevance } of answerableQuestions(instrument)) {
    const base = (): Cell[] => [
      question.id,
      section.id,
      grid?.id ?? null,
      question.type,
      question.label.vi,
      question.label.en,
      question.type === "rating" ? question.scale : null,
    ];
    const tail: Cell[] = [
      question.required === true ? "yes" : question.required === false ? "no" : String(question.required),
      relevance.length ? relevance.map((r) => `(${r})`).join(" and ") : null,
      question.illustrative ? "yes" : null,
    ];
    const choices = choicesOf(instrument, question);
    if (choices.length === 0) {
      rows.push([...base(), null, null, null, null, null, ...tail, coding.get(question.id)!.variable, null]);
      continue;
    }
    for (const choice of choices) {
      const value = "value" in choice && typeof choice.value === "number" ? choice.value : null;
      const scale = question.type === "rating" ? instrument.scales[question.scale] : undefined;
      const outside = choice.outside || Boolean(scale?.outside.some((o) => o.code === choice.code));
      const coded = coding.get(question.id)!;
      rows.push([
        ...base(),
        choice.code,
        value,
        outside ? "yes" : null,
        choice.label.vi,
        choice.label.en,
        ...tail,
        coded.variable,
        coded.values.get(choice.code) ?? null,
      ]);
    }
  }
  return {
    name: `${instrument.id}-codebook`,
    columns,
    total: rows.length,
    async *rows() {
      yield* rows;
    },
  };
}
