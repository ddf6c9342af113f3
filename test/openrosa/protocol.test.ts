/**
 * The OpenRosa protocol as ODK Collect uses it: Basic authentication (password under the sign-in
 * throttle, or a revocable device token), the HEAD pre-flight and OpenRosa headers, the form list
 * and manifest limited to the enumerator's rounds and area, and refusals as OpenRosa messages in
 * Vietnamese and English that change nothing.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { DIALECTS, postgresAvailable } from "../helpers/databases.js";
import { demoUnits, instrumentOf, makeSubmission } from "../helpers/responses.js";
import { seededRng } from "../../server/demo/random.js";
import { createDeviceToken, revokeDevice } from "../../server/accounts/repository.js";
import { escapeXml } from "../../server/openrosa/xml.js";
import { readSettingsPayload } from "../../server/openrosa/settings.js";
import { submissionLayout } from "../../server/openrosa/xform.js";
import type { Answers, Instrument } from "../../shared/instrument/schema.js";
import { basic, odkFetch, elementText, formList, loadListedForm, submit, submitXml } from "./helpers.js";
import { nodesByReference, type EngineNode } from "./engine.js";

/** An instance document as ODK writes one (answered questions only), without the engine. */
function instanceXml(instrument: Instrument, round: string, unit: string, group: string, answers: Answers, id: string): string {
  // section → (grid →) question → text, in questionnaire order
  type Tree = Map<string, Tree | string>;
  const tree: Tree = new Map();
  for (const [q, path] of submissionLayout(instrument).questions) {
    if (!Object.hasOwn(answers, q)) continue;
    const value = answers[q]!;
    let node = tree;
    for (const step of path.slice(0, -1)) {
      if (!node.has(step)) node.set(step, new Map());
      node = node.get(step) as Tree;
    }
    node.set(path.at(-1)!, escapeXml(Array.isArray(value) ? value.join(" ") : String(value)));
  }
  const write = (t: Tree): string => [...t].map(([name, v]) => `<${name}>${typeof v === "string" ? v : write(v)}</${name}>`).join("");
  const body = write(tree);
  return `<?xml version="1.0"?><data id="${round}" version="${instrument.version}"><chiso><unit>${unit}</unit><group>${group}</group></chiso>${body}<meta><instanceID>uuid:${id}</instanceID></meta></data>`;
}

const messageOf = (xml: string) =>
  elementText(xml, "message")
    ?.replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&") ?? "";

describe.each(DIALECTS)("OpenRosa protocol on %s", (dialect) => {
  const skip = dialect === "postgres" && !postgresAvailable;
  let server: TestServer;
  let instrument: Instrument;
  let round: string;
  let other: string;
  let enumerator: { username: string; password: string; id: string };
  let auth: Record<string, string>;
  let units: string[];

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(dialect);
    instrument = await instrumentOf(server.ctx, "sipas-2022");
    round = await server.createRound("sipas-2022");
    other = await server.createRound("sipas-2022");
    enumerator = await server.createUser("enumerator", { rounds: [round] });
    auth = basic(enumerator.username, enumerator.password);
    units = demoUnits(server.ctx, "village");
  });
  afterAll(async () => {
    if (!skip) await server.close();
  });

  it.skipIf(skip)("asks for credentials with an OpenRosa 401 and refuses wrong ones or other roles", async () => {
    const none = await odkFetch(`${server.url}/openrosa/formList`);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Basic realm="chiso"/);
    expect(none.headers.get("x-openrosa-version")).toBe("1.0");
    const body = await none.text();
    expect(body).toContain('<OpenRosaResponse xmlns="http://openrosa.org/http/response">');
    expect(messageOf(body)).toContain("Cần đăng nhập");

    const wrong = await odkFetch(`${server.url}/openrosa/formList`, { headers: basic(enumerator.username, "not the password") });
    expect(wrong.status).toBe(401);
    expect(messageOf(await wrong.text())).toContain("Wrong username or password");

    const analyst = await server.createUser("analyst");
    const refused = await odkFetch(`${server.url}/openrosa/formList`, { headers: basic(analyst.username, analyst.password) });
    expect(refused.status).toBe(403);
  });

  it.skipIf(skip)("throttles password guesses as the sign-in does", async () => {
    const victim = await server.createUser("enumerator");
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await odkFetch(`${server.url}/openrosa/formList`, { headers: basic(victim.username, `guess-${i}`) })).status);
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses.at(-1)).toBe(429);
  });

  it.skipIf(skip)("answers the HEAD pre-flight with 204 and the OpenRosa headers", async () => {
    const res = await odkFetch(`${server.url}/openrosa/submission`, { method: "HEAD", headers: auth });
    expect(res.status).toBe(204);
    expect(res.headers.get("x-openrosa-version")).toBe("1.0");
    expect(Number(res.headers.get("x-openrosa-accept-content-length"))).toBeGreaterThan(1_000_000);
    expect(Date.parse(res.headers.get("date")!)).toBeGreaterThan(0);
  });

  it.skipIf(skip)("lists only assigned open rounds; other rounds' forms are not served", async () => {
    const forms = await formList(server, auth);
    expect(forms.map((f) => f.formID)).toEqual([round]);
    expect(forms[0]!.hash).toMatch(/^md5:[0-9a-f]{32}$/);
    const res = await odkFetch(`${server.url}/openrosa/forms/${other}/form.xml`, { headers: auth });
    expect(res.status).toBe(404);
    expect(messageOf(await res.text())).toContain("not assigned");

    const closed = await server.createRound("sipas-2022", { status: "closed" });
    const everyone = await server.createUser("enumerator");
    const listed = (await formList(server, basic(everyone.username, everyone.password))).map((f) => f.formID);
    expect(listed).toContain(round);
    expect(listed).not.toContain(closed);
  });

  it.skipIf(skip)("offers only the units of the enumerator's area, as a cascade from commune to village", async () => {
    const commune = server.ctx.units.getCached(units[0]!)!.parentKey!;
    const inCommune = units.filter((u) => server.ctx.units.getCached(u)!.parentKey === commune);
    const outside = units.find((u) => !inCommune.includes(u))!;
    const local = await server.createUser("enumerator", { rounds: [round], unitScope: [commune] });
    const localAuth = basic(local.username, local.password);
    const [form] = await formList(server, localAuth);
    const manifest = await (await odkFetch(form!.manifestUrl, { headers: localAuth })).text();
    const csvUrl = elementText(manifest, "downloadUrl")!.replace(/&amp;/g, "&");
    const csv = await (await odkFetch(csvUrl, { headers: localAuth })).text();
    const keys = csv
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => line.split(",")[0]);
    expect(keys.sort()).toEqual([commune, ...inCommune].sort());
    expect(elementText(manifest, "hash")).toBe(`md5:${(await import("node:crypto")).createHash("md5").update(csv).digest("hex")}`);

    // In ODK's engine, the village list follows the chosen commune.
    const loaded = await loadListedForm(form!, localAuth);
    const nodes = nodesByReference(loaded.result.createInstance().root as unknown as EngineNode);
    nodes.get("/data/chiso/commune")!.selectValue!(commune);
    const options = (nodes.get("/data/chiso/unit")!.currentState as unknown as { valueOptions: Array<{ value: string }> }).valueOptions.map((o) => o.value);
    expect(options.sort()).toEqual([...inCommune].sort());

    // A unit outside the area is refused as /api/sync refuses it, and nothing is stored.
    const sample = makeSubmission(instrument, outside, "citizen", seededRng(5));
    const before = await server.count("responses");
    const res = await submitXml(server, localAuth, instanceXml(instrument, round, outside, "citizen", sample.answers, randomUUID()));
    expect(res.status).toBe(422);
    expect(messageOf(res.text)).toContain("unit:");
    expect(await server.count("responses")).toBe(before);
  });

  it.skipIf(skip)("stores once: a changed resend under the same instance id is a 409 that changes nothing", async () => {
    const sample = makeSubmission(instrument, units[0]!, "citizen", seededRng(7));
    const id = randomUUID();
    const xml = instanceXml(instrument, round, units[0]!, "citizen", sample.answers, id);
    const first = await submitXml(server, auth, xml);
    expect(first.status, first.text).toBe(201);
    const again = await submitXml(server, auth, xml);
    expect(again.status).toBe(202);
    const rated = Object.keys(sample.answers).find((q) => ["1", "2", "3", "4", "5"].includes(String(sample.answers[q])))!;
    const changed = { ...sample.answers, [rated]: sample.answers[rated] === "3" ? "4" : "3" };
    const conflict = await submitXml(server, auth, instanceXml(instrument, round, units[0]!, "citizen", changed, id));
    expect(conflict.status).toBe(409);
    expect(messageOf(conflict.text)).toMatch(/cùng mã phiếu[\s\S]*same instance id/);
    const row = await server.ctx.db.kysely.selectFrom("responses").select("payload_json").where("id", "=", id).executeTakeFirstOrThrow();
    expect(JSON.parse(row.payload_json).answers).toEqual(sample.answers);
  });

  it.skipIf(skip)("refuses bad answers with the question named, in both languages", async () => {
    const sample = makeSubmission(instrument, units[0]!, "citizen", seededRng(9));
    const answers = { ...sample.answers, age: 7 };
    const res = await submitXml(server, auth, instanceXml(instrument, round, units[0]!, "citizen", answers, randomUUID()));
    expect(res.status).toBe(422);
    const text = messageOf(res.text);
    expect(text).toContain("age:");
    expect(text).toContain("—");
    expect(text.normalize("NFC")).toBe(text);
  });

  it.skipIf(skip)("refuses malformed documents, declarations, edits and a missing part", async () => {
    const before = await server.count("responses");
    const bad = await submitXml(server, auth, "<data id='x'><unclosed></data>");
    expect(bad.status).toBe(422);
    expect(messageOf(bad.text)).toContain("not well-formed");
    const entity = await submitXml(server, auth, `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]><data id="${round}">&x;</data>`);
    expect(entity.status).toBe(422);
    expect(messageOf(entity.text)).toContain("DOCTYPE");
    const sample = makeSubmission(instrument, units[0]!, "citizen", seededRng(11));
    const edit = instanceXml(instrument, round, units[0]!, "citizen", sample.answers, randomUUID()).replace(
      "</meta>",
      `<deprecatedID>uuid:${randomUUID()}</deprecatedID></meta>`,
    );
    const edited = await submitXml(server, auth, edit);
    expect(edited.status).toBe(422);
    expect(messageOf(edited.text)).toContain("cannot be edited");
    const form = new FormData();
    form.append("other", "x");
    const missing = await odkFetch(`${server.url}/openrosa/submission`, { method: "POST", headers: auth, body: form });
    expect(missing.status).toBe(400);
    expect(messageOf(await missing.text())).toContain("xml_submission_file");
    const huge = await submit(server, auth, new Blob([`<data id="${round}">`, "x".repeat(11 * 1024 * 1024), "</data>"]));
    expect(huge.status).toBe(413);
    expect(messageOf(huge.text)).toContain("MB");
    expect(await server.count("responses")).toBe(before);
  });

  it.skipIf(skip)("accepts a device token as the password until the device is revoked", async () => {
    const device = await createDeviceToken(server.ctx.db.kysely, enumerator.id, "ODK Collect");
    const tokenAuth = basic(enumerator.username, device.token);
    const sample = makeSubmission(instrument, units[1]!, "citizen", seededRng(13));
    const id = randomUUID();
    const res = await submit(server, tokenAuth, new Blob([instanceXml(instrument, round, units[1]!, "citizen", sample.answers, id)]));
    expect(res.status, res.text).toBe(201);
    const row = await server.ctx.db.kysely.selectFrom("responses").select("device_id").where("id", "=", id).executeTakeFirstOrThrow();
    expect(row.device_id).toBe(device.id);
    // Someone else's name with this token is not this device.
    const other = await server.createUser("enumerator");
    expect((await odkFetch(`${server.url}/openrosa/formList`, { headers: basic(other.username, device.token) })).status).toBe(401);

    await revokeDevice(server.ctx.db.kysely, device.id);
    expect((await odkFetch(`${server.url}/openrosa/formList`, { headers: tokenAuth })).status).toBe(401);
  });

  it.skipIf(skip)("gives a signed-in enumerator the settings QR code payload of ODK Central's form, whose token then signs in", async () => {
    const phoneUser = await server.createUser("enumerator", { rounds: [round] });
    const headers = await server.signIn(phoneUser.username, phoneUser.password);
    const res = await server.api("/api/odk/settings", { headers, json: { label: "Điện thoại 1" } });
    expect(res.status).toBe(201);
    const settings = readSettingsPayload(res.body.payload);
    expect(settings).toEqual(res.body.settings);
    expect(settings.general.server_url).toBe(`${server.url}/openrosa`);
    expect(settings.general.username).toBe(phoneUser.username);
    expect(settings.admin).toEqual({});
    const forms = await formList(server, basic(settings.general.username, settings.general.password!));
    expect(forms.map((f) => f.formID)).toEqual([round]);
    // Not for other roles: a device carries only an enumerator's rights.
    const analyst = await server.createUser("analyst");
    const analystHeaders = await server.signIn(analyst.username, analyst.password);
    expect((await server.api("/api/odk/settings", { headers: analystHeaders, json: {} })).status).toBe(403);
  });
});
