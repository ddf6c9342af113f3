/**
 * Checks a questionnaire definition: the zod schema first, then what a schema cannot say
 * (unique ids, known scales and lists, expressions that parse and refer to real questions,
 * no circular relevance). Every problem names its dotted path in the definition.
 */
import type { z } from "zod";
import { ExprSyntaxError, parseCached, references, usesSelf, type Expr } from "../expr/index.js";
import { InstrumentSchema, type Choice, type Instrument } from "./schema.js";
import { isCalendarDate } from "./validate.js";
import { answerableQuestions } from "./walk.js";
import { isRespondentReference } from "./logic.js";

export interface DefinitionIssue {
  /** Dotted path in the definition, e.g. "sections.2.items.4.label.en"; "" for the whole document. */
  path: string;
  message: string;
}

export type CheckResult = { ok: true; instrument: Instrument } | { ok: false; errors: DefinitionIssue[] };

export function checkInstrument(input: unknown): CheckResult {
  const parsed = InstrumentSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: zodErrors(parsed.error.issues) };
  const errors = semanticErrors(parsed.data);
  return errors.length ? { ok: false, errors } : { ok: true, instrument: parsed.data };
}

const dotted = (path: readonly PropertyKey[]): string => path.map(String).join(".");

/**
 * Turns zod issues into path + message. A union (a section item is a question or a grid) reports
 * one list of issues per alternative; we keep the alternative whose `type` matched, so the author
 * sees "sections.0.items.3.label.en: expected string" instead of "Invalid input".
 */
export function zodErrors(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): DefinitionIssue[] {
  const out: DefinitionIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code !== "invalid_union" || issue.errors.length === 0) {
      out.push({ path: dotted(path), message: issue.message });
      continue;
    }
    const isTypeMismatch = (i: z.core.$ZodIssue) => i.path.length === 1 && i.path[0] === "type" && (i.code === "invalid_value" || i.code === "invalid_union");
    const matching = issue.errors.filter((branch) => !branch.some(isTypeMismatch));
    if (matching.length === 1) {
      out.push(...zodErrors(matching[0]!, path));
      continue;
    }
    if (matching.length === 0 && issue.errors.every((branch) => branch.some(isTypeMismatch))) {
      const allowed = issue.errors.flatMap((branch) =>
        branch.filter(isTypeMismatch).flatMap((i) => ("options" in i && i.options ? i.options : "values" in i ? i.values : [])),
      );
      out.push({ path: dotted([...path, "type"]), message: `unknown type: expected one of ${allowed.map((v) => `'${String(v)}'`).join(", ")}` });
      continue;
    }
    const alternatives = issue.errors.map((branch) => branch.map((i) => i.message).join("; ")).filter(Boolean);
    out.push({ path: dotted(path), message: `${issue.message}: ${alternatives.join(", or ")}` });
  }
  return out;
}

type ExprKind = "relevant" | "required" | "constraint" | "instanceName";

/** An expression in the definition and what it governs. */
interface ExprSite {
  path: string;
  source: string;
  kind: ExprKind;
  /** The element the expression belongs to. */
  owner: { kind: "section" | "grid" | "question" | "instrument"; id: string };
  /** Answerable questions whose relevance or requirement this expression decides. */
  governs: string[];
}

function semanticErrors(instrument: Instrument): DefinitionIssue[] {
  const errors: DefinitionIssue[] = [];
  const err = (path: string, message: string) => errors.push({ path, message });

  // --- ids: sections, grids and questions share one namespace (form anchors, exports, expressions)
  const idKinds = new Map<string, { kind: string; path: string }>();
  const claim = (id: string, kind: string, path: string) => {
    const first = idKinds.get(id);
    if (first) err(`${path}.id`, `duplicate id '${id}' (already used by the ${first.kind} at ${first.path})`);
    else idKinds.set(id, { kind, path });
  };

  // --- respondent groups
  const groups = new Map<string, number>();
  instrument.respondentGroups.forEach((g, i) => {
    const first = groups.get(g.code);
    if (first !== undefined) err(`respondentGroups.${i}.code`, `duplicate respondent group code '${g.code}' (also respondentGroups.${first})`);
    else groups.set(g.code, i);
  });

  // --- scales and shared choice lists
  for (const [name, scale] of Object.entries(instrument.scales)) {
    const seen = new Map<string, string>();
    const note = (c: Choice, path: string) => {
      const first = seen.get(c.code);
      if (first) err(`${path}.code`, `duplicate code '${c.code}' in scale '${name}' (also ${first})`);
      else seen.set(c.code, path);
    };
    scale.points.forEach((p, i) => note(p, `scales.${name}.points.${i}`));
    scale.outside.forEach((c, i) => note(c, `scales.${name}.outside.${i}`));
    scale.points.forEach((p, i) => {
      const prev = scale.points[i - 1];
      // Scoring reads points low to high (top-two-box, normalised mean).
      if (prev && !(p.value > prev.value)) {
        err(`scales.${name}.points.${i}.value`, `scale points must be ordered by increasing value (${prev.value} then ${p.value})`);
      }
    });
  }
  for (const [name, list] of Object.entries(instrument.choiceLists)) {
    duplicateCodes(list, `choiceLists.${name}`, err);
  }
  const hasScale = (name: string) => Object.hasOwn(instrument.scales, name);
  const hasList = (name: string) => Object.hasOwn(instrument.choiceLists, name);

  // --- structure, collecting expressions on the way
  const sites: ExprSite[] = [];
  const answerable = answerableQuestions(instrument);
  const inSection = new Map<string, string[]>();
  for (const item of answerable) {
    const ids = inSection.get(item.section.id) ?? [];
    ids.push(item.question.id);
    inSection.set(item.section.id, ids);
  }

  instrument.sections.forEach((section, s) => {
    const sPath = `sections.${s}`;
    claim(section.id, "section", sPath);
    if (section.relevant !== undefined) {
      sites.push({
        path: `${sPath}.relevant`,
        source: section.relevant,
        kind: "relevant",
        owner: { kind: "section", id: section.id },
        governs: inSection.get(section.id) ?? [],
      });
    }
    section.items.forEach((item, j) => {
      const path = `${sPath}.items.${j}`;
      if (item.type === "grid") {
        claim(item.id, "grid", path);
        if (!hasScale(item.scale)) err(`${path}.scale`, `unknown scale '${item.scale}'`);
        const rowIds = item.rows.map((r) => r.id);
        if (item.relevant !== undefined) {
          sites.push({ path: `${path}.relevant`, source: item.relevant, kind: "relevant", owner: { kind: "grid", id: item.id }, governs: rowIds });
        }
        item.rows.forEach((row, k) => {
          const rPath = `${path}.rows.${k}`;
          claim(row.id, "question", rPath);
          const owner = { kind: "question", id: row.id } as const;
          if (row.relevant !== undefined) sites.push({ path: `${rPath}.relevant`, source: row.relevant, kind: "relevant", owner, governs: [row.id] });
          if (typeof row.required === "string") sites.push({ path: `${rPath}.required`, source: row.required, kind: "required", owner, governs: [row.id] });
        });
        return;
      }
      claim(item.id, item.type === "note" ? "note" : "question", path);
      const owner = { kind: "question", id: item.id } as const;
      const governs = item.type === "note" ? [] : [item.id];
      if (item.relevant !== undefined) sites.push({ path: `${path}.relevant`, source: item.relevant, kind: "relevant", owner, governs });
      if (item.type === "note") return;
      if (typeof item.required === "string") sites.push({ path: `${path}.required`, source: item.required, kind: "required", owner, governs });
      if (item.constraint !== undefined) sites.push({ path: `${path}.constraint`, source: item.constraint, kind: "constraint", owner, governs });
      switch (item.type) {
        case "rating":
          if (!hasScale(item.scale)) err(`${path}.scale`, `unknown scale '${item.scale}'`);
          break;
        case "single":
        case "multiple":
          if (typeof item.choices === "string") {
            if (!hasList(item.choices)) err(`${path}.choices`, `unknown choice list '${item.choices}'`);
          } else {
            duplicateCodes(item.choices, `${path}.choices`, err);
          }
          break;
        case "integer":
        case "decimal":
          if (item.min !== undefined && item.max !== undefined && item.min > item.max) {
            err(`${path}.max`, `max (${item.max}) is less than min (${item.min})`);
          }
          break;
        case "date": {
          for (const bound of ["min", "max"] as const) {
            const v = item[bound];
            if (v !== undefined && !isCalendarDate(v)) err(`${path}.${bound}`, `'${v}' is not a calendar date`);
          }
          if (item.min !== undefined && item.max !== undefined && item.min > item.max) {
            err(`${path}.max`, `max (${item.max}) is before min (${item.min})`);
          }
          break;
        }
        case "text":
          break;
      }
    });
  });

  // The name of a filled form in lists: an expression over its answers, governing nothing.
  if (instrument.instanceName !== undefined) {
    sites.push({ path: "instanceName", source: instrument.instanceName, kind: "instanceName", owner: { kind: "instrument", id: instrument.id }, governs: [] });
  }

  // --- expressions: syntax, `.`, references
  const answerableIds = new Set(answerable.map((it) => it.question.id));
  const parsedSites: { site: ExprSite; refs: string[] }[] = [];
  for (const site of sites) {
    let expr: Expr;
    try {
      expr = parseCached(site.source);
    } catch (e) {
      if (!(e instanceof ExprSyntaxError)) throw e;
      err(site.path, `syntax error at position ${e.position}: expected ${e.expected} but found ${e.found}\n  ${site.source}\n  ${" ".repeat(e.position)}^`);
      continue;
    }
    if (site.kind !== "constraint" && usesSelf(expr)) {
      err(site.path, "'.' (the answer being checked) is only allowed in a constraint; refer to questions as ${id}");
    }
    const refs = references(expr);
    for (const ref of refs) {
      if (answerableIds.has(ref) || isRespondentReference(ref)) continue;
      const other = idKinds.get(ref);
      err(site.path, other ? `refers to '${ref}', which is a ${other.kind} and has no answer` : `refers to unknown question '${ref}'`);
    }
    for (const code of groupCodesCompared(expr)) {
      if (!instrument.respondentGroups.some((g) => g.code === code)) {
        err(
          site.path,
          `compares \${_group} with '${code}', which is not a respondent group of this questionnaire (${instrument.respondentGroups.map((g) => g.code).join(", ")})`,
        );
      }
    }
    if (site.owner.kind === "question" && refs.includes(site.owner.id) && site.kind !== "constraint") {
      err(
        site.path,
        site.kind === "relevant"
          ? `a question's relevance cannot refer to the question itself ('${site.owner.id}')`
          : `whether a question is required cannot depend on its own answer ('${site.owner.id}'); use a constraint`,
      );
    }
    parsedSites.push({ site, refs: refs.filter((r) => answerableIds.has(r)) });
  }

  errors.push(
    ...relevanceCycles(
      answerable.map((it) => it.question.id),
      parsedSites,
    ),
  );
  return errors;
}

/** Text literals an expression compares `${_group}` with (=, !=): each must be a declared group. */
function groupCodesCompared(expr: Expr): string[] {
  const out: string[] = [];
  const visit = (e: Expr): void => {
    if (e.type === "binary") {
      if (e.op === "=" || e.op === "!=") {
        const [ref, lit] = e.left.type === "ref" ? [e.left, e.right] : [e.right, e.left];
        if (ref.type === "ref" && ref.name === "_group" && lit.type === "string") out.push(lit.value);
      }
      visit(e.left);
      visit(e.right);
    } else if (e.type === "negate") visit(e.operand);
    else if (e.type === "call") e.args.forEach(visit);
  };
  visit(expr);
  return out;
}

/**
 * Circular relevance: whether q1 applies depends on q2's answer, which only counts when q2
 * applies, which depends on q1. Only relevance feeds other questions' values (an answer to a
 * non-relevant question reads as absent), so required-if and constraints cannot close a loop:
 * "give both or neither" (q1 required if q2 answered and vice versa) and start ≤ end checked on
 * both dates are legitimate.
 */
function relevanceCycles(order: string[], sites: { site: ExprSite; refs: string[] }[]): DefinitionIssue[] {
  // Edge q → r (with the path of the expression that creates it): q's relevance reads r's answer.
  const edges = new Map<string, Map<string, string>>();
  for (const { site, refs } of sites) {
    if (site.kind !== "relevant") continue;
    for (const q of site.governs) {
      for (const r of refs) {
        if (q === r && site.owner.kind === "question") continue; // reported as a self-reference
        const out = edges.get(q) ?? new Map<string, string>();
        if (!out.has(r)) out.set(r, site.path);
        edges.set(q, out);
      }
    }
  }

  const errors: DefinitionIssue[] = [];
  const state = new Map<string, "active" | "done">();
  const stack: string[] = [];
  const reported = new Set<string>();

  const visitNode = (q: string): void => {
    state.set(q, "active");
    stack.push(q);
    for (const [r, path] of edges.get(q) ?? []) {
      const s = state.get(r);
      if (s === "active") {
        const cycle = [...stack.slice(stack.indexOf(r)), r];
        const key = [...new Set(cycle)].sort().join(" ");
        if (!reported.has(key)) {
          reported.add(key);
          const firstPath = cycle.length > 2 ? (edges.get(cycle[0]!)?.get(cycle[1]!) ?? path) : path;
          errors.push({
            path: firstPath,
            message:
              cycle.length === 2
                ? `relevance of '${q}' depends on its own answer through the section or grid that contains it`
                : `relevance cycle: ${cycle.join(" → ")}`,
          });
        }
      } else if (s === undefined) {
        visitNode(r);
      }
    }
    stack.pop();
    state.set(q, "done");
  };
  for (const q of order) if (!state.has(q)) visitNode(q);
  return errors;
}

function duplicateCodes(choices: readonly Choice[], path: string, err: (path: string, message: string) => void): void {
  const seen = new Map<string, number>();
  choices.forEach((c, i) => {
    const first = seen.get(c.code);
    if (first !== undefined) err(`${path}.${i}.code`, `duplicate code '${c.code}' (also ${path}.${first})`);
    else seen.set(c.code, i);
  });
}
