/**
 * Compressed transfers over real HTTP: the encoding negotiated from Accept-Encoding, bodies that
 * decode to exactly what identity gives, a long CSV export streamed compressed, binary and small
 * bodies left alone, and a versioned body (ETag) that answers a revisit with 304 whatever form of
 * the tag the browser sends back.
 */
import http from "node:http";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { negotiateEncoding } from "../../server/http/compression.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { addDemoResponses } from "../../server/demo/seed.js";
import { findRound } from "../../server/rounds/repository.js";

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A plain HTTP request that, unlike fetch, leaves the body as it travelled. */
function rawGet(url: string, headers: Record<string, string>): Promise<Raw> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

function decode(raw: Raw): Buffer {
  const encoding = raw.headers["content-encoding"];
  if (encoding === "br") return zlib.brotliDecompressSync(raw.body);
  if (encoding === "gzip") return zlib.gunzipSync(raw.body);
  return raw.body;
}

describe("negotiating the encoding", () => {
  it.each([
    ["gzip, deflate, br, zstd", "br"],
    ["gzip, deflate", "gzip"],
    ["br;q=0, gzip;q=0.5", "gzip"],
    ["BR;Q=1", "br"],
    ["identity", null],
    ["gzip;q=0", null],
    ["*", "br"],
    ["*;q=0, gzip", "gzip"],
    ["", null],
    [undefined, null],
  ])("Accept-Encoding %j → %j", (header, expected) => {
    expect(negotiateEncoding(header)).toBe(expected);
  });
});

describe("compressed responses over HTTP", () => {
  let server: TestServer;
  let round: string;
  /** The signed-in administrator's headers (session cookie). */
  let admin: Record<string, string>;

  beforeAll(async () => {
    server = await startTestServer("sqlite");
    admin = await server.authenticate("admin");
    round = await server.createRound("sipas-2022", { minCellSize: 1 });
    await addDemoResponses(server.ctx, (await findRound(server.ctx.db.kysely, round))!, 400, 7);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("sends the form definition as brotli or gzip, decoding to exactly the identity body, with a weak ETag", async () => {
    const url = `${server.url}/api/rounds/${round}/form`;
    const plain = await rawGet(url, {});
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.headers.vary).toMatch(/accept-encoding/i);
    for (const [accept, encoding] of [
      ["gzip, deflate, br", "br"],
      ["gzip", "gzip"],
    ] as const) {
      const packed = await rawGet(url, { "accept-encoding": accept });
      expect(packed.headers["content-encoding"]).toBe(encoding);
      expect(packed.body.length).toBeLessThan(plain.body.length / 3);
      expect(decode(packed).equals(plain.body)).toBe(true);
      expect(packed.headers.etag).toBe(`W/${plain.headers.etag}`);
      expect(Number(packed.headers["content-length"])).toBe(packed.body.length);
    }
  });

  it("answers a revisit with 304, whether the browser sends the strong or the weak tag", async () => {
    const url = `${server.url}/api/rounds/${round}/form`;
    const first = await rawGet(url, { "accept-encoding": "br" });
    const strong = first.headers.etag!.replace(/^W\//, "");
    for (const tag of [first.headers.etag!, strong, `"other", ${first.headers.etag}`]) {
      const again = await rawGet(url, { "accept-encoding": "br", "if-none-match": tag });
      expect(again.status).toBe(304);
      expect(again.body.length).toBe(0);
    }
    expect((await rawGet(url, { "if-none-match": '"something-else"' })).status).toBe(200);
  });

  it("streams a long CSV export compressed, byte for byte the identity export", async () => {
    const url = `${server.url}/api/rounds/${round}/export/long?format=csv`;
    const headers = admin;
    const plain = await rawGet(url, headers);
    expect(plain.status).toBe(200);
    expect(plain.body.length).toBeGreaterThan(100_000);
    const packed = await rawGet(url, { ...headers, "accept-encoding": "br" });
    expect(packed.headers["content-encoding"]).toBe("br");
    expect(packed.headers["content-length"]).toBeUndefined();
    expect(packed.body.length).toBeLessThan(plain.body.length / 5);
    expect(decode(packed).equals(plain.body)).toBe(true);
  });

  it("leaves binary downloads and small answers as they are", async () => {
    const headers = { ...admin, "accept-encoding": "gzip, br" };
    const xlsx = await rawGet(`${server.url}/api/rounds/${round}/export/wide?format=xlsx`, headers);
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers["content-encoding"]).toBeUndefined();
    expect(xlsx.body.subarray(0, 2).toString()).toBe("PK");
    const health = await rawGet(`${server.url}/api/health`, headers);
    expect(health.headers["content-encoding"]).toBeUndefined();
    expect(JSON.parse(health.body.toString()).status).toBe("ok");
  });
});
