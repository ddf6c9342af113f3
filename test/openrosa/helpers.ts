/** Talking to chiso's OpenRosa server as ODK Collect does, and filling its forms with ODK's engine. */
import { expect } from "vitest";
import type { TestServer } from "../helpers/server.js";
import type { Answers, Instrument } from "../../shared/instrument/schema.js";
import { questionById } from "../../shared/instrument/walk.js";
import { formState } from "../../shared/instrument/logic.js";
import { submissionLayout, INTERVIEW_GROUP } from "../../server/openrosa/xform.js";
import { nodesByReference, odkEngine, type EngineNode } from "./engine.js";

/**
 * fetch, tried once more when the kept-alive connection was closed under it: the engine blocks the
 * event loop for seconds while it loads a form, and the in-process server's idle timer then fires
 * together with the client's reuse of the socket. ODK Collect retries such a failure the same way.
 */
export async function odkFetch(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (code !== "ECONNRESET" && code !== "UND_ERR_SOCKET") throw error;
    return fetch(url, init);
  }
}

export function basic(username: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`, "x-openrosa-version": "1.0" };
}

/** The text of the first element named `name` (no namespace prefixes in what chiso writes). */
export function elementText(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}(?:\\s[^>]*)?>([^<]*)</${name}>`).exec(xml)?.[1];
}

export interface ListedForm {
  formID: string;
  hash: string;
  downloadUrl: string;
  manifestUrl: string;
}

export async function formList(server: TestServer, auth: Record<string, string>): Promise<ListedForm[]> {
  const res = await odkFetch(`${server.url}/openrosa/formList`, { headers: auth });
  expect(res.status).toBe(200);
  const xml = await res.text();
  return [...xml.matchAll(/<xform>(.*?)<\/xform>/g)].map((m) => ({
    formID: elementText(m[1]!, "formID")!,
    hash: elementText(m[1]!, "hash")!,
    downloadUrl: elementText(m[1]!, "downloadUrl")!.replace(/&amp;/g, "&"),
    manifestUrl: elementText(m[1]!, "manifestUrl")!.replace(/&amp;/g, "&"),
  }));
}

/** Downloads a listed form and its units CSV, and loads them into ODK's engine. */
export async function loadListedForm(form: ListedForm, auth: Record<string, string>) {
  const { loadForm } = await odkEngine();
  const xml = await (await odkFetch(form.downloadUrl, { headers: auth })).text();
  const manifest = await (await odkFetch(form.manifestUrl, { headers: auth })).text();
  const csvUrl = elementText(manifest, "downloadUrl")!.replace(/&amp;/g, "&");
  const result = await loadForm(xml, {
    fetchFormAttachment: async (url: URL) => {
      expect(String(url)).toBe("jr://file-csv/units.csv");
      return odkFetch(csvUrl, { headers: auth });
    },
  });
  if (result.status === "failure") throw result.error;
  return { xml, result };
}

/**
 * Fills a new instance as an enumerator would: the unit (each level of the cascade), the group,
 * then every answer in questionnaire order. Returns the instance and its nodes by reference.
 */
export async function fill(
  form: Awaited<ReturnType<typeof loadListedForm>>,
  instrument: Instrument,
  lineage: readonly string[],
  group: string,
  answers: Answers,
) {
  const instance = form.result.createInstance();
  const root = instance.root as unknown as EngineNode;
  const nodes = nodesByReference(root);
  // The cascade: /data/chiso/<level>… then /data/chiso/unit, broadest first; lineage is the unit's ancestors, broadest first, the unit last.
  const unitNodes = [...nodes.keys()].filter((r) => r.startsWith(`/data/${INTERVIEW_GROUP}/`) && !r.endsWith("/group"));
  const chain = lineage.slice(lineage.length - unitNodes.length);
  unitNodes.forEach((ref, i) => nodes.get(ref)!.selectValue!(chain[i]!));
  nodes.get(`/data/${INTERVIEW_GROUP}/group`)!.selectValue!(group);
  const layout = submissionLayout(instrument);
  const questions = questionById(instrument);
  for (const [id, path] of layout.questions) {
    if (!Object.hasOwn(answers, id)) continue;
    const node = nodes.get(`/data/${path.join("/")}`)!;
    const value = answers[id]!;
    const type = questions.get(id)!.type;
    if (type === "multiple") node.selectValues!(value as string[]);
    else if (type === "rating" || type === "single") node.selectValue!(String(value));
    else node.setValue!(value);
  }
  return { instance, root: instance.root, nodes };
}

/** Relevance in the engine equals chiso's own form logic, for every section, grid, question and note. */
export function expectSameRelevance(instrument: Instrument, answers: Answers, nodes: Map<string, EngineNode>): number {
  const state = formState(instrument, answers);
  let compared = 0;
  for (const section of instrument.sections) {
    const check = (ref: string, relevant: boolean | undefined) => {
      const node = nodes.get(ref);
      expect(node, ref).toBeDefined();
      expect({ ref, relevant: node!.currentState.relevant }).toEqual({ ref, relevant });
      compared++;
    };
    check(`/data/${section.id}`, state.sections[section.id]!.relevant);
    for (const item of section.items) {
      if (item.type === "grid") {
        check(`/data/${section.id}/${item.id}`, state.grids[item.id]!.relevant);
        for (const row of item.rows) check(`/data/${section.id}/${item.id}/${row.id}`, state.questions[row.id]!.relevant);
      } else check(`/data/${section.id}/${item.id}`, state.questions[item.id]!.relevant);
    }
  }
  return compared;
}

export async function submit(server: TestServer, auth: Record<string, string>, file: Blob, filename = "submission.xml") {
  const body = new FormData();
  body.append("xml_submission_file", file, filename);
  const res = await odkFetch(`${server.url}/openrosa/submission`, { method: "POST", headers: auth, body });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

export async function submitXml(server: TestServer, auth: Record<string, string>, xml: string) {
  return submit(server, auth, new Blob([xml], { type: "text/xml" }));
}
