/**
 * Page weight of the respondent route: what a phone downloads to show /r/:roundId, read from the
 * built client (dist/respond.html, its script and link tags, and the modules those import
 * statically). Prints raw and gzip bytes per file and fails when the budget is exceeded.
 *
 *   npm run build && npx tsx scripts/page-weight.ts [--dist DIR] [--page respond.html]
 */
import fs from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

/** Budgets in gzip bytes: respondents are often on slow mobile connections and older phones. */
export const BUDGET = { js: 60 * 1024, total: 120 * 1024 };

export interface WeightedFile {
  file: string;
  kind: "html" | "js" | "css";
  raw: number;
  gzip: number;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

/** Local URLs referenced by the page's <script src> and <link rel=stylesheet|modulepreload href>. */
function htmlReferences(html: string): string[] {
  const refs: string[] = [];
  for (const tag of html.match(/<(script|link)\b[^>]*>/gi) ?? []) {
    const src = /\b(?:src|href)\s*=\s*["']([^"']+)["']/i.exec(tag)?.[1];
    if (!src || /^[a-z]+:|^\/\//i.test(src)) continue;
    if (tag.toLowerCase().startsWith("<link") && !/\brel\s*=\s*["']?(stylesheet|modulepreload)/i.test(tag)) continue;
    refs.push(src);
  }
  return refs;
}

/** Static imports of a built module (`import"./a.js"`, `from"./b.js"`); dynamic import() loads later and is not counted. */
function staticImports(code: string): string[] {
  const out: string[] = [];
  for (const m of code.matchAll(/(?:\bfrom|\bimport)\s*["']([^"']+\.js)["']/g)) out.push(m[1]!);
  return out;
}

/** Every file the page loads at start, HTML first, each once. */
export function measurePage(distDir: string, page: string): WeightedFile[] {
  const files: WeightedFile[] = [];
  const seen = new Set<string>();
  const add = (urlPath: string, kind: WeightedFile["kind"]) => {
    const file = path.join(distDir, urlPath.replace(/^\//, "").split(/[?#]/)[0]!);
    if (seen.has(file)) return;
    seen.add(file);
    if (!fs.existsSync(file)) throw new Error(`${page} refers to ${urlPath}, which is not in ${distDir}`);
    const bytes = fs.readFileSync(file);
    files.push({ file: path.relative(distDir, file), kind, raw: bytes.length, gzip: gzipSync(bytes).length });
    if (kind === "js") {
      for (const dep of staticImports(bytes.toString("utf8"))) add(path.posix.join(path.posix.dirname(urlPath), dep), "js");
    }
  };
  const htmlPath = path.join(distDir, page);
  if (!fs.existsSync(htmlPath)) throw new Error(`${htmlPath} not found: run \`npm run build\` first`);
  add(`/${page}`, "html");
  for (const ref of htmlReferences(fs.readFileSync(htmlPath, "utf8"))) {
    const kind = ref.endsWith(".css") ? "css" : ref.endsWith(".js") ? "js" : null;
    if (kind) add(ref.startsWith("/") ? ref : `/${ref}`, kind);
  }
  return files;
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

function main(): number {
  const dist = path.resolve(arg("--dist", path.join(import.meta.dirname, "..", "dist")));
  const page = arg("--page", "respond.html");
  let files: WeightedFile[];
  try {
    files = measurePage(dist, page);
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  const rows = files.map((f) => [f.file, f.kind, kb(f.raw), kb(f.gzip)]);
  const sum = (kind: WeightedFile["kind"] | null, key: "raw" | "gzip") => files.filter((f) => kind === null || f.kind === kind).reduce((s, f) => s + f[key], 0);
  for (const kind of ["html", "js", "css"] as const) rows.push([`total ${kind}`, "", kb(sum(kind, "raw")), kb(sum(kind, "gzip"))]);
  rows.push(["total", "", kb(sum(null, "raw")), kb(sum(null, "gzip"))]);
  const header = ["file", "kind", "raw", "gzip"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ");
  console.log(`Page weight of ${page} (what the respondent route loads at start)`);
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));

  const js = sum("js", "gzip");
  const total = sum(null, "gzip");
  const failures = [
    js > BUDGET.js ? `JavaScript ${kb(js)} gzip exceeds the budget of ${kb(BUDGET.js)}` : "",
    total > BUDGET.total ? `total ${kb(total)} gzip exceeds the budget of ${kb(BUDGET.total)}` : "",
  ].filter(Boolean);
  for (const f of failures) console.error(`OVER BUDGET: ${f}`);
  if (!failures.length) console.log(`Within budget: JavaScript ${kb(js)} of ${kb(BUDGET.js)}, total ${kb(total)} of ${kb(BUDGET.total)} (gzip).`);
  return failures.length ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) process.exitCode = main();
