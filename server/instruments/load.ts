/**
 * Reads survey editions from surveys/: one folder per edition with instrument.json and index.json
 * (a self-assessment edition has par-index.json instead: the composite PAR INDEX it feeds).
 * A broken file is reported with its file, the path inside it and the reason.
 */
import fs from "node:fs";
import path from "node:path";
import { checkInstrument } from "../../shared/instrument/check.js";
import type { Instrument } from "../../shared/instrument/schema.js";
import { IndexDefinitionSchema, type IndexDefinition } from "../../shared/index-model/schema.js";
import { checkIndex, checkParIndex } from "../../shared/scoring/index.js";
import { ParIndexDefinitionSchema, type ParIndexDefinition } from "../../shared/index-model/par-index.js";

export interface Edition {
  dir: string;
  instrument: Instrument;
  index: IndexDefinition | null;
  /** The composite PAR INDEX scored from this self-assessment (par-index.json), if the edition has one. */
  parIndex?: ParIndexDefinition;
}

export interface DefinitionProblem {
  file: string;
  path: string;
  reason: string;
}

export class DefinitionError extends Error {
  constructor(readonly problems: DefinitionProblem[]) {
    super(problems.map((p) => `${p.file}${p.path ? ` at ${p.path}` : ""}: ${p.reason}`).join("\n"));
  }
}

function readJsonFile(file: string, problems: DefinitionProblem[]): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
  } catch (e) {
    problems.push({ file, path: "", reason: (e as Error).message });
    return undefined;
  }
}

/** Loads one edition folder (or its instrument.json). */
export function loadEdition(target: string): { edition: Edition | null; problems: DefinitionProblem[] } {
  const dir = fs.statSync(target).isDirectory() ? target : path.dirname(target);
  const problems: DefinitionProblem[] = [];
  const instrumentFile = path.join(dir, "instrument.json");
  const indexFile = path.join(dir, "index.json");
  const parIndexFile = path.join(dir, "par-index.json");
  if (!fs.existsSync(instrumentFile)) {
    return { edition: null, problems: [{ file: instrumentFile, path: "", reason: "missing instrument.json" }] };
  }
  const raw = readJsonFile(instrumentFile, problems);
  if (raw === undefined) return { edition: null, problems };
  const checked = checkInstrument(raw);
  if (!checked.ok) {
    return { edition: null, problems: checked.errors.map((e) => ({ file: instrumentFile, path: e.path, reason: e.message })) };
  }
  const instrument = checked.instrument;
  let index: IndexDefinition | null = null;
  if (fs.existsSync(indexFile)) {
    const rawIndex = readJsonFile(indexFile, problems);
    if (rawIndex !== undefined) {
      const parsed = IndexDefinitionSchema.safeParse(rawIndex);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          problems.push({ file: indexFile, path: issue.path.map(String).join("."), reason: issue.message });
        }
      } else {
        index = parsed.data;
        for (const p of checkIndex(index, instrument)) problems.push({ file: indexFile, path: p.path, reason: p.message });
      }
    }
  }
  let parIndex: ParIndexDefinition | undefined;
  if (fs.existsSync(parIndexFile)) {
    const raw = readJsonFile(parIndexFile, problems);
    if (raw !== undefined) {
      const parsed = ParIndexDefinitionSchema.safeParse(raw);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          problems.push({ file: parIndexFile, path: issue.path.map(String).join("."), reason: issue.message });
        }
      } else {
        parIndex = parsed.data;
        for (const p of checkParIndex(parIndex, instrument)) problems.push({ file: parIndexFile, path: p.path, reason: p.message });
      }
    }
  }
  if (path.basename(dir) !== instrument.id) {
    problems.push({ file: instrumentFile, path: "id", reason: `folder name "${path.basename(dir)}" differs from the edition id "${instrument.id}"` });
  }
  return { edition: problems.length ? null : { dir, instrument, index, ...(parIndex ? { parIndex } : {}) }, problems };
}

/** Loads every edition under a surveys directory; throws DefinitionError listing every problem. */
export function loadSurveys(root: string): Edition[] {
  const target = path.resolve(root);
  const dirs =
    fs.existsSync(path.join(target, "instrument.json")) || !fs.statSync(target).isDirectory()
      ? [target]
      : fs
          .readdirSync(target, { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => path.join(target, d.name))
          .sort();
  const editions: Edition[] = [];
  const problems: DefinitionProblem[] = [];
  for (const dir of dirs) {
    const result = loadEdition(dir);
    problems.push(...result.problems);
    if (result.edition) editions.push(result.edition);
  }
  problems.push(...crossEditionProblems(editions));
  if (problems.length) throw new DefinitionError(problems);
  return editions;
}

/** A par index's S and C leaves must name items and derived scores of the editions it reads, when those are loaded too. */
function crossEditionProblems(editions: Edition[]): DefinitionProblem[] {
  const byId = new Map(editions.map((e) => [e.instrument.id, e]));
  const problems: DefinitionProblem[] = [];
  for (const edition of editions) {
    const def = edition.parIndex;
    if (!def) continue;
    const survey = def.surveyEdition ? (byId.get(def.surveyEdition)?.index ?? undefined) : undefined;
    const sipas = def.sipasEdition ? (byId.get(def.sipasEdition)?.index ?? undefined) : undefined;
    if (!survey && !sipas) continue;
    const file = path.join(edition.dir, "par-index.json");
    for (const p of checkParIndex(def, edition.instrument, { ...(survey ? { survey } : {}), ...(sipas ? { sipas } : {}) })) {
      problems.push({ file, path: p.path, reason: p.message });
    }
  }
  return problems;
}
