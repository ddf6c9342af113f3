/**
 * Builds the OpenAPI 3.1 document of the HTTP API from the app's own route declarations (method,
 * path, who may call it) and the reference table in operations.ts, converting the zod schemas
 * that validate requests and responses with zod's JSON Schema output (2020-12, OpenAPI 3.1's dialect).
 */
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { REPO_ROOT } from "../config.js";
import { API_TOKEN_ROUTES, CSRF_HEADER, SESSION_COOKIE, type RouteDeclaration } from "../http/access.js";
import { PROBLEMS } from "../../shared/errors.js";
import { OPERATIONS, type OperationDoc, type Payload } from "./operations.js";

type Json = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: string;
  info: Json;
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json>; securitySchemes: Json; responses: Json };
  tags: Array<{ name: string }>;
  [key: string]: unknown;
}

/** Hono's `/rounds/:id` is OpenAPI's `/rounds/{id}`. */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}");
}

export function operationKey(method: string, honoPath: string): string {
  return `${method.toUpperCase()} ${honoPath}`;
}

function version(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "0.0.0";
  }
}

const PROBLEM_SCHEMA: Json = {
  type: "object",
  description: "Every refusal: a code from a closed set, its message in Vietnamese and English, and field errors naming the field.",
  properties: {
    error: {
      type: "object",
      properties: {
        code: { type: "string", enum: Object.keys(PROBLEMS) },
        message_vi: { type: "string" },
        message_en: { type: "string" },
        errors: {
          type: "array",
          items: {
            type: "object",
            properties: { question: { type: "string" }, code: { type: "string" }, message_vi: { type: "string" }, message_en: { type: "string" } },
            required: ["question", "code", "message_vi", "message_en"],
          },
        },
        errorCount: { type: "integer" },
        detail: {},
      },
      required: ["code", "message_vi", "message_en"],
    },
  },
  required: ["error"],
};

/**
 * Converts every named schema at once, so that one used by several operations is written once
 * under components/schemas and referenced. Recursive parts zod extracts on its own (`__shared`)
 * become components of their own.
 */
function componentSchemas(docs: OperationDoc[]): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  const seen = new Map<z.ZodType, string>();
  const add = (p: Payload | undefined) => {
    if (!p || !("json" in p)) return;
    const { id, schema } = p.json;
    const known = seen.get(schema);
    if (known && known !== id) throw new Error(`schema registered twice, as ${known} and ${id}`);
    if (!known) {
      seen.set(schema, id);
      registry.add(schema, { id });
    }
  };
  for (const d of docs) {
    add(d.body);
    add(d.response);
  }
  // As a client writes them: fields with a default are optional. The response schemas have no defaults, so both read the same.
  const converted = z.toJSONSchema(registry, { io: "input", unrepresentable: "any", uri: (id) => `#/components/schemas/${id}` }) as {
    schemas: Record<string, Json>;
  };
  const out: Record<string, Json> = {};
  for (const [id, schema] of Object.entries(converted.schemas)) {
    const { $schema: _s, $id: _i, $defs, ...rest } = schema as Json & { $defs?: Record<string, Json> };
    if (id === "__shared") {
      for (const [defId, def] of Object.entries($defs ?? {})) out[`Shared_${defId}`] = def;
      continue;
    }
    out[id] = $defs ? { ...rest, $defs } : rest;
  }
  // zod writes references into the shared part as "<uri of __shared>#/$defs/<id>".
  const text = JSON.stringify(out).replace(/#\/components\/schemas\/__shared#\/\$defs\/([A-Za-z0-9_]+)/g, "#/components/schemas/Shared_$1");
  return JSON.parse(text) as Record<string, Json>;
}

function content(p: Payload): Json {
  if ("json" in p) return { "application/json": { schema: { $ref: `#/components/schemas/${p.json.id}` } } };
  if ("file" in p)
    return Object.fromEntries(
      p.file.map((type) => [type, { schema: type.startsWith("text/") || type.endsWith("json") ? {} : { type: "string", contentEncoding: "binary" } }]),
    );
  return { "application/json": { schema: {} } };
}

function describe(p: Payload): string {
  if ("file" in p) return `${p.text.vi} / ${p.text.en}`;
  if ("missing" in p) return "JSON — chưa có lược đồ dùng chung / no shared schema yet";
  return p.json.id;
}

function security(decl: RouteDeclaration): Json[] {
  if (decl.access === "public" || decl.access === "token") return [];
  const out: Json[] = [{ session: [] }];
  if (decl.access.includes("enumerator")) out.push({ deviceToken: [] });
  if (API_TOKEN_ROUTES.has(operationKey(decl.method, decl.path))) out.push({ apiToken: [] });
  return out;
}

function accessText(decl: RouteDeclaration): string {
  if (decl.access === "public") return "Ai cũng gọi được / Anyone";
  if (decl.access === "token") return "Mã mời trong thân yêu cầu / The invitation token in the request body";
  return `Vai trò / Roles: ${decl.access.join(", ")}`;
}

/** The operation of one declared route; a route without an entry in OPERATIONS is marked undocumented. */
function operation(decl: RouteDeclaration, doc: OperationDoc | undefined): Json {
  const key = operationKey(decl.method, decl.path);
  const operationId = `${decl.method.toLowerCase()}${decl.path
    .replace(/^\/api/, "")
    .split(/[/.-]/)
    .filter(Boolean)
    .map((part) => (part.startsWith(":") ? `By${part[1]!.toUpperCase()}${part.slice(2)}` : part[0]!.toUpperCase() + part.slice(1)))
    .join("")}`;
  const pathParams = [...decl.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
  const base: Json = {
    operationId,
    "x-chiso-access": decl.access,
    "x-chiso-api-token": API_TOKEN_ROUTES.has(key),
    security: security(decl),
  };
  if (!doc) {
    return { ...base, summary: key, "x-chiso-undocumented": true, parameters: pathParams, responses: { default: { description: "undocumented" } } };
  }
  const missing: string[] = [];
  if (doc.body && "missing" in doc.body) missing.push("body");
  if (doc.queryMissing) missing.push("query");
  if ("missing" in doc.response) missing.push("response");
  const parameters = [
    ...pathParams,
    ...(doc.query ?? []).map((q) => ({
      name: q.name,
      in: "query",
      required: q.required ?? false,
      description: `${q.text.vi} / ${q.text.en}`,
      schema: q.values ? { type: "string", enum: q.values } : { type: "string" },
    })),
  ];
  const statuses = Array.isArray(doc.status) ? doc.status : [doc.status ?? 200];
  const responses: Json = {};
  for (const status of statuses) responses[String(status)] = { description: describe(doc.response), content: content(doc.response) };
  responses["4XX"] = { $ref: "#/components/responses/Problem" };
  return {
    ...base,
    tags: [doc.tag],
    summary: doc.summary.vi,
    description: `${doc.summary.en}.\n\n${accessText(decl)}.${missing.length ? `\n\nChưa có lược đồ dùng chung / No shared schema yet: ${missing.join(", ")}.` : ""}`,
    "x-chiso-summary": doc.summary,
    ...(missing.length ? { "x-chiso-schema-missing": missing } : {}),
    parameters,
    ...(doc.body ? { requestBody: { required: true, description: describe(doc.body), content: content(doc.body) } } : {}),
    responses,
  };
}

/** The whole document, for the app whose routes are `declarations`. */
export function buildOpenApiDocument(declarations: readonly RouteDeclaration[]): OpenApiDocument {
  const paths: OpenApiDocument["paths"] = {};
  const used: OperationDoc[] = [];
  for (const decl of declarations) {
    const doc = OPERATIONS[operationKey(decl.method, decl.path)];
    if (doc) used.push(doc);
    (paths[openApiPath(decl.path)] ??= {})[decl.method.toLowerCase()] = operation(decl, doc);
  }
  const tags = [...new Set(used.map((d) => d.tag))].map((name) => ({ name }));
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: "chiso API",
      version: version(),
      summary: "Thu thập và tổng hợp khảo sát SIPAS, PAPI, Chỉ số CCHC / Survey collection and aggregation for SIPAS, PAPI, PAR INDEX",
      description:
        "Mọi lỗi là 4xx với mã và thông báo tiếng Việt và tiếng Anh. Mã API chỉ đọc (Authorization: Bearer chiso_at_…) chỉ gọi được các thao tác có x-chiso-api-token: true (docs/api.md).\n\n" +
        "Every refusal is a 4xx with a code and messages in Vietnamese and English. Read-only API tokens (Authorization: Bearer chiso_at_…) reach only the operations marked x-chiso-api-token: true (docs/api.md).",
      license: { name: "MIT", identifier: "MIT" },
    },
    servers: [{ url: "/" }],
    tags,
    paths,
    components: {
      schemas: { Problem: PROBLEM_SCHEMA, ...componentSchemas(used) },
      responses: {
        Problem: { description: "Lỗi do yêu cầu / A refused request", content: { "application/json": { schema: { $ref: "#/components/schemas/Problem" } } } },
      },
      securitySchemes: {
        session: {
          type: "apiKey",
          in: "cookie",
          name: SESSION_COOKIE,
          description: `Phiên đăng nhập (POST /api/auth/login); mọi thao tác ghi cần thêm tiêu đề ${CSRF_HEADER}. Qua HTTPS cookie có tên __Host-${SESSION_COOKIE}. / Signed-in session; every write also needs the ${CSRF_HEADER} header. Over HTTPS the cookie is __Host-${SESSION_COOKIE}.`,
        },
        deviceToken: { type: "http", scheme: "bearer", description: "Mã thiết bị của điều tra viên / An enumerator's device token (POST /api/devices)" },
        apiToken: {
          type: "http",
          scheme: "bearer",
          description: "Mã API chỉ đọc của cán bộ phân tích / An analyst's read-only API token (POST /api/api-tokens)",
        },
      },
    },
  };
}
