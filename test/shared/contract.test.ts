/**
 * The HTTP contract lives once (docs/decisions/0028-one-http-contract.md): renaming a field of a
 * shared response schema must fail the typecheck in the server that builds the reply and in the
 * client that reads it. Runs the TypeScript compiler on the repository twice, once as it is and
 * once with one schema file changed in memory, checking the files that import it. SLOW: two type
 * checks of those files, about 20 s on an idle machine (minutes on a loaded one).
 */
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { AccountListSchema, AuditListSchema, DeviceListSchema, WhoAmISchema } from "../../shared/api/accounts.js";
import { DesignResponseSchema } from "../../shared/api/design.js";
import { EditionDetailSchema, EditionListSchema } from "../../shared/api/instruments.js";
import { OfflinePackageSchema } from "../../shared/api/offline.js";
import { AgencyMemberListSchema, ParRoundListSchema } from "../../shared/api/par-index.js";
import { ReceiptSchema, SyncReplySchema } from "../../shared/api/responses.js";
import {
  PeerGroupListSchema,
  ProgressResponseSchema,
  RankingResponseSchema,
  ResultsReplySchema,
  TargetsViewSchema,
  WeakestSchema,
} from "../../shared/api/results.js";
import { HealthSchema } from "../../shared/api/system.js";
import { FormPayloadSchema, RoundDetailSchema, RoundListSchema } from "../../shared/api/rounds.js";
import { RegistryListSchema, UnitChildrenSchema, UnitDetailSchema, UnitSearchSchema } from "../../shared/api/units.js";
import { startTestServer } from "../helpers/server.js";
import { demoUnits, instrumentOf, makeSubmission } from "../helpers/responses.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SCHEMA_FILE = path.join(ROOT, "shared/api/responses.ts");

/** The receipt code a respondent keeps: sent by POST /api/rounds/:id/responses, shown by the respondent page. */
const FIELD = "  receipt: z.string(),\n";
const RENAMED = "  receiptCode: z.string(),\n";

interface Checker {
  /** Error messages per file (relative to the repository) of the files given. */
  errors(files: readonly string[]): Map<string, string[]>;
  /** The files of server/, client/ and shared/ that import `file`, directly or through others: the only ones a change to it can break. */
  importersOf(file: string): string[];
}

/** One program over tsconfig.json; parsed source files are shared between programs, so the second costs only its check. */
function makeChecker(overrides: ReadonlyMap<string, string>, parsed: Map<string, ts.SourceFile>): Checker {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!config) throw new Error("tsconfig.json could not be read");
  const host = ts.createCompilerHost(config.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, language, onError, shouldCreate) => {
    const key = path.resolve(fileName);
    const text = overrides.get(key);
    if (text !== undefined) return ts.createSourceFile(fileName, text, language);
    const cached = parsed.get(key);
    if (cached) return cached;
    const file = getSourceFile(fileName, language, onError, shouldCreate);
    if (file) parsed.set(key, file);
    return file;
  };
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, host });
  const relative = (fileName: string) => path.relative(ROOT, fileName).replaceAll("\\", "/");
  return {
    importersOf(target) {
      const importers = new Map<string, Set<string>>();
      for (const file of program.getSourceFiles()) {
        if (!/^(server|client|shared)\//.test(relative(file.fileName))) continue;
        for (const statement of file.statements) {
          // Imports, and re-exports, which pass types on too (export type { X } from "…").
          if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement))) continue;
          const specifier = statement.moduleSpecifier;
          if (!specifier || !ts.isStringLiteral(specifier)) continue;
          const resolved = ts.resolveModuleName(specifier.text, file.fileName, config.options, host).resolvedModule;
          if (!resolved) continue;
          const to = relative(resolved.resolvedFileName);
          importers.set(to, (importers.get(to) ?? new Set()).add(relative(file.fileName)));
        }
      }
      const seen = new Set([relative(target)]);
      const queue = [relative(target)];
      while (queue.length) {
        for (const by of importers.get(queue.pop()!) ?? []) {
          if (seen.has(by)) continue;
          seen.add(by);
          queue.push(by);
        }
      }
      return [...seen];
    },
    errors(only) {
      const out = new Map<string, string[]>();
      const files = only.map((f) => program.getSourceFile(path.join(ROOT, f))!);
      for (const file of files) {
        const messages = program.getSemanticDiagnostics(file).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
        if (messages.length) out.set(path.relative(ROOT, file.fileName).replaceAll("\\", "/"), messages);
      }
      return out;
    },
  };
}

describe("the HTTP contract", () => {
  it("fails the typecheck of both the server and the client when a field of the receipt is renamed (slow: two type checks)", { timeout: 300_000 }, async () => {
    const source = ts.sys.readFile(SCHEMA_FILE)!;
    expect(source.split(FIELD)).toHaveLength(2);
    const parsed = new Map<string, ts.SourceFile>();

    const clean = makeChecker(new Map(), parsed);
    const affected = clean.importersOf(SCHEMA_FILE);
    expect(affected).toEqual(expect.arrayContaining(["server/responses/routes.ts", "client/respond/app.tsx"]));
    const renamed = makeChecker(new Map([[SCHEMA_FILE, source.replace(FIELD, RENAMED)]]), parsed).errors(affected);
    // Only what the rename broke: a file another change leaves broken meanwhile does not count.
    const before = clean.errors([...renamed.keys()]);
    const broken = [...renamed].filter(([file, messages]) => messages.some((m) => !(before.get(file) ?? []).includes(m))).map(([file]) => file);

    expect(
      broken.filter((f) => f.startsWith("server/")),
      "a server file builds the receipt",
    ).toEqual(expect.arrayContaining(["server/responses/routes.ts", "server/invitations/routes.ts"]));
    expect(
      broken.filter((f) => f.startsWith("client/")),
      "a client file reads the receipt",
    ).toContain("client/respond/app.tsx");
    expect(renamed.get("client/respond/app.tsx")!.join("\n")).toMatch(/receipt/);
    // Without the rename the same files are clean.
    for (const file of broken) expect(before.get(file) ?? [], file).toEqual([]);
  });

  it("describes what the server really answers: replies over real HTTP parse with their shared schemas", async () => {
    const server = await startTestServer("sqlite");
    try {
      const sipas = await instrumentOf(server.ctx, "sipas-2022");
      const round = await server.createRound("sipas-2022");
      const village = demoUnits(server.ctx, "village")[0]!;
      const get = async <S extends z.ZodType>(schema: S, url: string, init?: RequestInit & { json?: unknown }): Promise<z.infer<S>> => {
        const res = await server.api(url, init);
        expect(res.status, url).toBeLessThan(300);
        const parsed = schema.safeParse(res.body);
        expect(parsed.error?.issues ?? [], url).toEqual([]);
        return parsed.data!;
      };
      await get(EditionListSchema, "/api/instruments");
      await get(EditionDetailSchema, "/api/instruments/sipas-2022");
      expect((await get(RoundListSchema, "/api/rounds")).rounds.map((r) => r.id)).toContain(round);
      await get(RoundDetailSchema, `/api/rounds/${round}`);
      await get(FormPayloadSchema, `/api/rounds/${round}/form`);
      await get(RegistryListSchema, "/api/units/registries");
      const search = await get(UnitSearchSchema, `/api/units?q=${encodeURIComponent("Hà Nội")}`);
      await get(UnitDetailSchema, `/api/units/${encodeURIComponent(search.units[0]!.key)}`);
      await get(UnitChildrenSchema, `/api/units/${encodeURIComponent(search.units[0]!.key)}/children`);
      const receipt = await get(ReceiptSchema, `/api/rounds/${round}/responses`, { json: makeSubmission(sipas, village, "citizen") });
      expect(receipt.status).toBe("stored");
      await get(WhoAmISchema, "/api/auth/me");

      await server.authenticate("admin");
      await get(WhoAmISchema, "/api/auth/me");
      await get(AccountListSchema, "/api/users");
      await get(DeviceListSchema, "/api/devices");
      await get(AuditListSchema, "/api/audit");
      await get(HealthSchema, "/api/health");
      await get(ResultsReplySchema, `/api/rounds/${round}/results?by=province`);
      await get(RankingResponseSchema, `/api/rounds/${round}/results/ranking?level=province`);
      await get(WeakestSchema, `/api/rounds/${round}/results/weakest`);
      await get(TargetsViewSchema, `/api/rounds/${round}/targets`);
      await get(ProgressResponseSchema, `/api/rounds/${round}/progress?level=province`);
      await get(DesignResponseSchema, `/api/rounds/${round}/design`);
      await get(PeerGroupListSchema, "/api/peer-groups");
      await get(AgencyMemberListSchema, "/api/par/agency-members");
      await get(ParRoundListSchema, "/api/par/rounds");
      const device = await server.deviceHeaders();
      const offline = await get(OfflinePackageSchema, `/api/rounds/${round}/offline-units`, { headers: device });
      expect(offline.units.length).toBeGreaterThan(0);
      const sync = await get(SyncReplySchema, "/api/sync", {
        headers: device,
        json: { round, responses: [makeSubmission(sipas, village, "citizen"), { id: "x" }] },
      });
      expect(sync.results.map((r) => r.status)).toEqual(["stored", "invalid"]);
    } finally {
      await server.close();
    }
  });
});
