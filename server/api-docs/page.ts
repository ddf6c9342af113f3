/**
 * The readable API reference at /api/docs: one server-made HTML page listing every operation of
 * the OpenAPI document by tag, with who may call it and its parameters. No script and no inline
 * style, so the strict Content-Security-Policy applies unchanged; the stylesheet is /api/docs/style.css.
 */
import type { OpenApiDocument } from "./document.js";

const escape = (text: unknown) => String(text).replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);

interface Operation {
  operationId: string;
  summary: string;
  "x-chiso-summary"?: { vi: string; en: string };
  "x-chiso-access": unknown;
  "x-chiso-api-token": boolean;
  "x-chiso-schema-missing"?: string[];
  tags?: string[];
  parameters?: Array<{ name: string; in: string; required: boolean; description?: string; schema?: { enum?: string[] } }>;
  requestBody?: { description: string; content: Record<string, { schema?: { $ref?: string } }> };
  responses: Record<string, { description?: string; $ref?: string }>;
}

function accessLabel(access: unknown): string {
  if (access === "public") return "công khai / public";
  if (access === "token") return "mã mời / invitation token";
  return (access as string[]).join(", ");
}

function row(method: string, p: string, op: Operation): string {
  const text = op["x-chiso-summary"] ?? { vi: op.summary, en: "" };
  const params = (op.parameters ?? [])
    .map(
      (q) =>
        `<li><code>${escape(q.name)}</code> <small>(${escape(q.in)}${q.required ? ", bắt buộc / required" : ""})</small>${q.description ? ` — ${escape(q.description)}` : ""}${q.schema?.enum ? ` <small>${escape(q.schema.enum.join(" | "))}</small>` : ""}</li>`,
    )
    .join("");
  const body = op.requestBody ? `<p>Thân / Body: ${escape(Object.keys(op.requestBody.content).join(", "))} — ${escape(op.requestBody.description)}</p>` : "";
  const missing = op["x-chiso-schema-missing"]?.length
    ? `<p class="missing">Chưa có lược đồ dùng chung / No shared schema yet: ${escape(op["x-chiso-schema-missing"].join(", "))}</p>`
    : "";
  return `<section class="op" id="${escape(op.operationId)}">
<h3><span class="method ${escape(method)}">${escape(method.toUpperCase())}</span> <code>${escape(p)}</code></h3>
<p lang="vi">${escape(text.vi)}</p><p lang="en">${escape(text.en)}</p>
<p class="access">Ai được gọi / Who may call: ${escape(accessLabel(op["x-chiso-access"]))}${op["x-chiso-api-token"] ? " · mã API chỉ đọc / read-only API token" : ""}</p>
${params ? `<ul>${params}</ul>` : ""}${body}${missing}</section>`;
}

export function docsPage(doc: OpenApiDocument): string {
  const byTag = new Map<string, string[]>();
  let count = 0;
  for (const [p, methods] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(methods)) {
      const op = raw as unknown as Operation;
      const tag = op.tags?.[0] ?? "other";
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)!.push(row(method, p, op));
      count++;
    }
  }
  const nav = [...byTag.keys()].map((tag) => `<a href="#tag-${escape(tag)}">${escape(tag)}</a>`).join(" · ");
  const sections = [...byTag.entries()].map(([tag, rows]) => `<h2 id="tag-${escape(tag)}">${escape(tag)}</h2>\n${rows.join("\n")}`).join("\n");
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API chiso — tài liệu / reference</title>
<link rel="stylesheet" href="/api/docs/style.css">
</head>
<body>
<main>
<h1>API chiso <small>${escape(String(doc.info.version))}</small></h1>
<p>${count} thao tác. Tài liệu máy đọc được: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI ${escape(doc.openapi)}).
Mã API chỉ đọc cho R, Excel Power Query, Power BI: xem docs/api.md.</p>
<p lang="en">${count} operations. Machine-readable document: <a href="/api/openapi.json">/api/openapi.json</a>. Read-only API tokens for R, Excel Power Query and Power BI: see docs/api.md.</p>
<nav>${nav}</nav>
${sections}
</main>
</body>
</html>
`;
}

export const DOCS_CSS = `body{font-family:system-ui,sans-serif;line-height:1.4;margin:0;color:#1a1a1a;background:#fff}
main{max-width:60rem;margin:0 auto;padding:1rem;overflow-wrap:anywhere}
ul{padding-left:1.25rem}
h1 small{font-weight:normal;color:#555}
h2{border-bottom:1px solid #ccc;margin-top:2rem}
.op{border:1px solid #ddd;border-radius:4px;padding:.5rem .75rem;margin:.75rem 0}
.op h3{margin:.25rem 0;font-size:1rem;overflow-wrap:anywhere}
.op p{margin:.25rem 0}
.method{display:inline-block;min-width:4rem;font-family:monospace;font-weight:bold}
.get{color:#0b5394}.post{color:#38761d}.put,.patch{color:#7f6000}.delete{color:#990000}
.access{color:#444;font-size:.9rem}
.missing{color:#7f6000;font-size:.9rem}
code{font-family:ui-monospace,monospace}
nav{line-height:2}
`;
