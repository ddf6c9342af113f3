/**
 * Raw exports run in a worker thread (server/exports/threads.ts): while a large workbook streams, the
 * server's event loop stays nearly idle and submissions are answered; the file is the one the server's
 * own writers give; and an export beyond the limit is refused at once with a bilingual 429 Problem.
 */
import { randomUUID } from "node:crypto";
import { PassThrough } from "node:stream";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import ExcelJS from "exceljs";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { demoUnits, makeSubmission } from "../helpers/responses.js";
import { addDemoResponses } from "../../server/demo/seed.js";
import { findRound } from "../../server/rounds/repository.js";
import { latestEdition } from "../../server/instruments/repository.js";
import { seededRng } from "../../server/demo/random.js";
import { buildExport } from "../../server/exports/build.js";
import { writeTable } from "../../server/exports/writers.js";
import type { Instrument } from "../../shared/instrument/schema.js";

const RESPONSES = 1500;
/** Each test writes a few exports of 1,500 responses, the first after a worker loads: slow on a busy machine. */
const SLOW = 240_000;

describe("exports in a worker thread", () => {
  let server: TestServer;
  let round: string;
  let sipas: Instrument;

  beforeAll(async () => {
    server = await startTestServer("sqlite");
    await server.authenticate("admin");
    sipas = (await latestEdition(server.ctx.db.kysely, "sipas-2022"))!.instrument;
    round = await server.createRound("sipas-2022");
    await addDemoResponses(server.ctx, (await findRound(server.ctx.db.kysely, round))!, RESPONSES, 11);
  }, 180_000);
  afterAll(async () => {
    delete process.env.CHISO_EXPORTS_AT_ONCE;
    await server.close();
  });

  const open = (url: string) => fetch(server.url + url, { headers: server.defaultHeaders });
  const submit = (seed: number) =>
    server.api(`/api/rounds/${round}/responses`, {
      json: makeSubmission(sipas, demoUnits(server.ctx, "village")[0]!, "citizen", seededRng(seed), { id: randomUUID() }),
    });

  /** The same export written by the server's writers on this thread, as the command line does. */
  async function inProcess(layout: string, format: string): Promise<Buffer> {
    const { table, options } = await buildExport(server.ctx, round, layout, { format }, null);
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on("data", (c: Buffer) => chunks.push(c));
    await writeTable(table, out, options);
    return Buffer.concat(chunks);
  }

  async function sheetValues(bytes: Buffer): Promise<unknown> {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    return { name: sheet.name, views: sheet.views, widths: sheet.columns.map((c) => c.width), values: sheet.getSheetValues() };
  }

  it(
    "streams a workbook while this thread stays nearly idle and submissions are answered; the file is the server writers' own",
    async () => {
      const before = await inProcess("wide", "xlsx");
      const res = await open(`/api/rounds/${round}/export/wide?format=xlsx`);
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      const chunks: Uint8Array[] = [];
      const first = await reader.read();
      expect(first.done).toBe(false);
      chunks.push(first.value!);
      // From the first byte to the last: the event loop's busy share, with a few submissions sent meanwhile.
      const busy0 = performance.eventLoopUtilization();
      const statuses: number[] = [];
      for (let seed = 100; seed < 105; seed++) statuses.push((await submit(seed)).status);
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) chunks.push(chunk.value);
      const busy = performance.eventLoopUtilization(busy0);
      expect(statuses).toEqual([201, 201, 201, 201, 201]);
      // Formatting on this thread keeps it busy nearly all along (about 0.9 measured); passing bytes on does not.
      expect(busy.utilization).toBeLessThan(0.5);

      // Responses submitted during the export may or may not be in it (they are read in id order): compare the rest.
      const expected = (await sheetValues(before)) as { values: unknown[][] };
      const streamed = (await sheetValues(Buffer.concat(chunks))) as { values: unknown[][] };
      const ids = new Set(expected.values.slice(2).map((row) => row[1]));
      const known = (sheet: { values: unknown[][] }) => ({ ...sheet, values: sheet.values.filter((row, i) => i === 1 || ids.has(row[1])) });
      expect(ids.size).toBe(RESPONSES);
      expect(known(streamed)).toEqual(known(expected));
    },
    SLOW,
  );

  it(
    "gives the same CSV bytes from the worker as from the server's own writers",
    async () => {
      const expected = await inProcess("wide", "csv");
      const res = await open(`/api/rounds/${round}/export/wide?format=csv`);
      expect(Buffer.from(await res.arrayBuffer())).toEqual(expected);
    },
    SLOW,
  );

  it(
    "refuses an export beyond the limit with a bilingual 429, and takes one again once a slot is free",
    async () => {
      process.env.CHISO_EXPORTS_AT_ONCE = "1";
      // Held open: the reader takes the first bytes only, so the export waits for it (the file is ~15 MB).
      const held = await open(`/api/rounds/${round}/export/long?format=ndjson`);
      const reader = held.body!.getReader();
      expect((await reader.read()).done).toBe(false);

      const refused = await server.api(`/api/rounds/${round}/export/wide?format=xlsx`);
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toBe("30");
      expect(refused.body.error.code).toBe("rate_limited");
      expect(refused.body.error.message_vi).toMatch(/xuất 1 tệp dữ liệu cùng lúc/);
      expect(refused.body.error.message_en).toMatch(/1 data exports at once/);
      expect(refused.body.error.detail).toEqual({ running: 1, limit: 1 });
      // Small exports (the codebook, results) take no slot.
      expect((await open(`/api/rounds/${round}/export/codebook?format=csv`)).status).toBe(200);
      // Submissions are not held up by the export that waits.
      expect((await submit(7)).status).toBe(201);

      // The reader leaves: its worker stops and the slot is free again.
      await reader.cancel();
      await vi.waitFor(
        async () => {
          const res = await open(`/api/rounds/${round}/export/wide?format=csv`);
          expect(res.status).toBe(200);
          await res.arrayBuffer();
        },
        { timeout: 30_000, interval: 100 },
      );
    },
    SLOW,
  );
});
