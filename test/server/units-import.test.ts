/**
 * Importing villages and agencies over HTTP (POST /api/units/import), on SQLite and PostgreSQL:
 * administrators only, a file with a bad row is refused by line and writes nothing, a good file
 * adds units that search finds at once, and a repeat adds nothing. Files saved in UTF-8, UTF-16 or
 * Vietnamese Windows-1258 give the same names; one that cannot be decoded surely is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS, postgresAvailable } from "../helpers/databases.js";
import { DEMO_PROVINCE, startTestServer, type TestServer } from "../helpers/server.js";
import { encodedFixtures, TCVN3_THON_PHU_LOC } from "../helpers/encodings.js";

describe.each(DIALECTS)("units import on %s", (dialect) => {
  const skip = dialect === "postgres" && !postgresAvailable;
  let server: TestServer;
  let admin: Record<string, string>;
  let commune: { key: string; code: string };

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(dialect);
    const account = await server.createUser("admin");
    admin = await server.signIn(account.username, account.password);
    const first = server.ctx.units.childrenOf(DEMO_PROVINCE).find((u) => u.level === "commune")!;
    commune = { key: first.key, code: first.code };
  });
  afterAll(async () => {
    if (!skip) await server.close();
  });

  const post = (query: string, body: BodyInit, headers: Record<string, string>, type = "text/csv") =>
    server.api(`/api/units/import?${query}`, { method: "POST", body, headers: { ...headers, "content-type": type } });
  const unitCount = async () =>
    Number(
      (
        await server.ctx.db.kysely
          .selectFrom("units")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it.skipIf(skip)("is for administrators only, and checks kind, registry and content type", async () => {
    const csv = `commune_code,village_code,name\n${commune.code},T01,Thôn Một\n`;
    expect((await post("kind=village&registry=2025", csv, {})).status).toBe(401);
    const analyst = await server.createUser("analyst");
    expect((await post("kind=village&registry=2025", csv, await server.signIn(analyst.username, analyst.password))).status).toBe(403);
    // A signed-in administrator still needs the anti-forgery header.
    expect((await post("kind=village&registry=2025", csv, { cookie: admin.cookie! })).status).toBe(403);
    expect((await post("kind=hamlet&registry=2025", csv, admin)).status).toBe(400);
    expect((await post("kind=village&registry=1999", csv, admin)).status).toBe(400);
    expect((await post("kind=village&registry=2025", JSON.stringify({ csv }), admin, "application/json")).status).toBe(415);
  });

  it.skipIf(skip)("refuses a file with bad rows, naming line and column, and writes nothing", async () => {
    const before = await unitCount();
    const csv = [
      "commune_code,village_code,name",
      `${commune.code},T01,Thôn Một`,
      "99999,T02,Thôn Hai",
      `${commune.code},T03,`,
      `${commune.code},T01,Thôn Một lặp`,
    ].join("\n");
    const res = await post("kind=village&registry=2025", csv, admin);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("invalid");
    expect(res.body.error.errors.map((e: { question: string }) => e.question)).toEqual(["line 3.commune_code", "line 4.name", "line 5.village_code"]);
    expect(res.body.error.errors[0].message_vi).toMatch(/Không có xã mã 99999/);
    expect(res.body.error.errors[0].message_en).toMatch(/No commune with code 99999/);
    expect(res.body.error.message_vi).toMatch(/chưa nhập đơn vị nào/);
    expect(await unitCount()).toBe(before);

    const notUtf8 = Buffer.concat([Buffer.from(`commune_code,village_code,name\n${commune.code},T09,`), TCVN3_THON_PHU_LOC]);
    const encoding = await server.api("/api/units/import?kind=village&registry=2025", {
      method: "POST",
      body: notUtf8,
      headers: { ...admin, "content-type": "text/csv" },
    });
    expect(encoding.status).toBe(422);
    expect(encoding.body.error.errors[0].question).toBe("line 2");
    expect(encoding.body.error.errors[0].message_vi).toContain("“CSV UTF-8”");
    expect(encoding.body.error.errors[0].message_en).toContain("“CSV UTF-8”");
    expect(await unitCount()).toBe(before);
  });

  it.skipIf(skip)("adds villages and agencies that search finds at once, audits it, and a repeat adds nothing", async () => {
    const before = await unitCount();
    const csv = `\uFEFFcommune_code;village_code;name;type\r\n${commune.code};T01;Một;Thôn\r\n${commune.code};TDP2;"Số 2";Tổ dân phố\r\n`;
    const res = await post("kind=village&registry=2025", csv, admin);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: "village", registry: "2025", rows: 2, added: 2, alreadyPresent: 0 });
    expect(await unitCount()).toBe(before + 2);

    const found = await server.api(
      `/api/units?registry=2025&level=village&q=${encodeURIComponent("to dan pho so 2")}&within=${encodeURIComponent(commune.key)}`,
    );
    expect(found.body.units.map((u: { key: string }) => u.key)).toContain(`${commune.key}-TDP2`);
    const village = await server.api(`/api/units/${encodeURIComponent(`${commune.key}-T01`)}`);
    expect(village.body.unit.fullName).toBe("Thôn Một");
    expect(village.body.unit.parentKey).toBe(commune.key);

    const again = await post("kind=village&registry=2025", csv, admin);
    expect(again.body).toMatchObject({ rows: 2, added: 0, alreadyPresent: 2 });

    const agencies = await post(
      "kind=agency&registry=2025",
      `agency_code,name,province_code\nBQLKCN,Ban Quản lý các khu công nghiệp,${DEMO_PROVINCE.split(":")[1]}\n`,
      admin,
    );
    expect(agencies.status).toBe(201);
    const agency = await server.api(`/api/units?registry=2025&level=agency&q=${encodeURIComponent("khu cong nghiep")}`);
    expect(agency.body.units.map((u: { key: string }) => u.key)).toContain("2025:A-BQLKCN");

    const audit = await server.api("/api/audit?limit=20", { headers: admin });
    const imports = audit.body.entries.filter((e: { action: string }) => e.action === "units.import");
    expect(imports).toHaveLength(3);
    expect(imports.at(-1).detail).toEqual({ kind: "village", rows: 2, added: 2 });
  });

  it.skipIf(skip)("reads UTF-8, UTF-8 with BOM, UTF-16LE with BOM and Windows-1258 files to the same names", async () => {
    const names = ["Thôn Phú Lộc", "Tổ dân phố Đồng Tâm", "Ấp Mỹ Hưng"];
    const csv = (i: number) => `commune_code;village_code;name\n${names.map((n, j) => `${commune.code};E${i}${j};${n}`).join("\n")}\n`;
    for (let i = 0; i < 4; i++) {
      const [encoding, bytes] = encodedFixtures(csv(i))[i]!;
      const res = await post("kind=village&registry=2025", new Uint8Array(bytes), admin);
      expect(res.status, `${encoding}: ${JSON.stringify(res.body)}`).toBe(201);
      expect(res.body.added, encoding).toBe(3);
      const stored = await server.ctx.db.kysely.selectFrom("units").select("name").where("key", "like", `${commune.key}-E${i}%`).orderBy("key").execute();
      expect(
        stored.map((r) => r.name),
        encoding,
      ).toEqual(names);
    }
  });
});
