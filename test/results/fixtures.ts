/** Helpers for the results tests: random submissions through HTTP, responses read back, tree comparison. */
import { expect } from "vitest";
import { parse } from "csv-parse/sync";
import type { TestServer } from "../helpers/server.js";
import { makeSubmission } from "../helpers/responses.js";
import { seededRng } from "../../server/demo/random.js";
import type { Answers, Instrument } from "../../shared/instrument/schema.js";
import type { NodeResult } from "../../shared/scoring/index.js";
import type { ResultNode } from "../../shared/results/types.js";
import type { UnitRow } from "../../server/units/repository.js";
import { insertUnits, toUnitInfo } from "../../server/units/repository.js";

export interface Stored {
  id: string;
  unit: string;
  group: string;
  channel: string;
  weight: number | null;
  answers: Answers;
}

/** A downloaded CSV as rows of fields, read by the same maintained parser the server imports with (a byte-order mark is dropped). */
export function parseCsv(text: string, sep: string): string[][] {
  return parse(text, { delimiter: sep, relax_column_count: true, bom: true }) as string[][];
}

/** Random valid submissions spread over units and groups; some carry a survey weight. */
export function randomSubmissions(
  instrument: Instrument,
  units: readonly string[],
  groups: readonly string[],
  count: number,
  seed: number,
  options: { weights?: boolean } = {},
) {
  const rng = seededRng(seed);
  return Array.from({ length: count }, () => {
    const unit = units[rng.int(0, units.length - 1)]!;
    const group = groups[rng.int(0, groups.length - 1)]!;
    const weight = options.weights && rng.next() < 0.5 ? Math.round((0.4 + rng.next() * 2) * 1000) / 1000 : undefined;
    return makeSubmission(instrument, unit, group, rng, { channel: "enumerator", ...(weight ? { weight } : {}) });
  });
}

const devices = new WeakMap<TestServer, Promise<Record<string, string>>>();

/** Sends submissions through POST /api/sync (the enumerator path) and checks every one was stored. */
export async function submitAll(server: TestServer, round: string, submissions: readonly unknown[]): Promise<void> {
  let headers = devices.get(server);
  if (!headers) devices.set(server, (headers = server.deviceHeaders()));
  for (let i = 0; i < submissions.length; i += 250) {
    const res = await server.api("/api/sync", { json: { round, responses: submissions.slice(i, i + 250) }, headers: await headers });
    expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
    expect(res.body.summary.stored, JSON.stringify(res.body.results.find((r: { status: string }) => r.status !== "stored"))).toBe(
      submissions.slice(i, i + 250).length,
    );
  }
}

/** The round's responses as stored: answers parsed back from payload_json. */
export async function storedResponses(server: TestServer, round: string): Promise<Stored[]> {
  const rows = await server.ctx.db.kysely
    .selectFrom("responses")
    .select(["id", "unit_key", "group_code", "channel", "weight", "payload_json"])
    .where("round_id", "=", round)
    .orderBy("id")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    unit: r.unit_key,
    group: r.group_code,
    channel: r.channel,
    weight: r.weight === null ? null : Number(r.weight),
    answers: (JSON.parse(r.payload_json) as { answers: Answers }).answers,
  }));
}

/** Every node of the API tree equals the engine's (values to 1e-9, counts exactly). */
export function expectSameTree(api: ResultNode, engine: NodeResult, path = api.code): void {
  expect(api.code, path).toBe(engine.code);
  for (const key of ["percent", "points"] as const) {
    const a = api[key];
    const e = engine[key];
    if (e === null) expect(a, `${path}.${key}`).toBeNull();
    else expect(a, `${path}.${key}`).toBeCloseTo(e, 9);
  }
  expect(api.valid, `${path}.valid`).toBe(engine.valid);
  expect(api.answered, `${path}.answered`).toBe(engine.answered);
  expect(api.children?.length ?? 0, `${path}.children`).toBe(engine.children?.length ?? 0);
  api.children?.forEach((child, i) => expectSameTree(child, engine.children![i]!, `${path}/${child.code}`));
}

export function expectSuppressed(node: ResultNode): void {
  expect(node.value, node.code).toBeNull();
  expect(node.percent, node.code).toBeNull();
  expect(node.points, node.code).toBeNull();
  expect(node.rank ?? null, node.code).toBeNull();
  node.children?.forEach(expectSuppressed);
}

/** Adds demo-style villages (two per commune) under units of any registry, for rounds on that registry. */
export async function addVillages(server: TestServer, communes: readonly string[]): Promise<string[]> {
  const rows: UnitRow[] = [];
  for (const key of communes) {
    const commune = (await server.ctx.units.get(key))!;
    for (const n of [1, 2]) {
      rows.push({
        key: `${commune.key}-T${n}`,
        registry: commune.registry,
        code: `${commune.code}-T${n}`,
        level: "village",
        name: `Thôn thử ${n}`,
        fullName: `Thôn thử ${n}, ${commune.fullName}`,
        type: "Thôn",
        parentKey: commune.key,
        validFrom: commune.validFrom,
        validTo: commune.validTo,
      });
    }
  }
  await insertUnits(server.ctx.db.kysely, rows);
  server.ctx.units.remember(rows.map(toUnitInfo));
  return rows.map((r) => r.key);
}
