/** After a crash: every stored response of a round is whole — its answers, its cell count and its rollups, and nothing counted without it. */
import { expect } from "vitest";
import type { AppContext } from "../../server/app-context.js";
import type { Instrument } from "../../shared/instrument/schema.js";
import { codedQuestionIds } from "../../shared/scoring/counts.js";

export async function expectStoredResponsesWhole(
  ctx: AppContext,
  instrument: Instrument,
  roundId: string,
  stored: ReadonlyArray<{ unit_key: string; group_code: string; payload_json: string }>,
): Promise<void> {
  const db = ctx.db.kysely;
  const cells = await db.selectFrom("cell_totals").select("n").where("round_id", "=", roundId).execute();
  expect(cells.reduce((sum, c) => sum + Number(c.n), 0)).toBe(stored.length);
  // The rollups equal a recount of the stored payloads' coded answers.
  const coded = codedQuestionIds(instrument);
  const expected = new Map<string, number>();
  for (const r of stored) {
    for (const [q, v] of Object.entries(JSON.parse(r.payload_json).answers as Record<string, unknown>)) {
      if (!coded.has(q)) continue;
      for (const code of Array.isArray(v) ? v : typeof v === "string" && v !== "" ? [v] : []) {
        const key = `${r.unit_key}|${r.group_code}|${q}|${code}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
    }
  }
  const rollups = await db.selectFrom("rollups").select(["unit_key", "group_code", "question_id", "code", "n"]).where("round_id", "=", roundId).execute();
  expect(new Map(rollups.map((r) => [`${r.unit_key}|${r.group_code}|${r.question_id}|${r.code}`, Number(r.n)]))).toEqual(expected);
  const withAnswers = await db
    .selectFrom("answers")
    .innerJoin("responses", "responses.id", "answers.response_id")
    .select("responses.id")
    .distinct()
    .where("round_id", "=", roundId)
    .execute();
  expect(withAnswers).toHaveLength(stored.length);
}
