/**
 * The chiso command line: `chiso <command> [options]`. Every command works on the database named
 * by DATABASE_URL (PostgreSQL) or CHISO_DB (SQLite file, default ./data/chiso.db).
 */
import fs from "node:fs";
import { loadConfig, type Config } from "./config.js";
import { openContext, prepareDatabase } from "./bootstrap.js";
import { listen } from "./serve.js";
import { migrate } from "./db/migrate.js";
import { loadSurveys, DefinitionError } from "./instruments/load.js";
import { importEdition, latestEdition } from "./instruments/repository.js";
import { ensureDemoRounds, addDemoResponses, ensureDemoEnumerator } from "./demo/seed.js";
import { NewRoundSchema, insertRound, findRound, listRounds, setRoundStatus, setTargets } from "./rounds/repository.js";
import { unitsAtLevel } from "./units/walk.js";
import { parseVillageCsv, parseAgencyCsv } from "./units/registry-data.js";
import { insertUnits, toUnitInfo } from "./units/repository.js";
import { Problem } from "./http/problem.js";
import type { AppContext } from "./app-context.js";
import { ensureFirstAdmin } from "./accounts/first-start.js";
import { ROLES, createUser, findUserByName, listUsers, setUserDisabled, type Role } from "./accounts/repository.js";
import { NewUserSchema } from "./accounts/routes.js";
import { audit } from "./accounts/audit.js";
import { randomToken } from "./lib/secrets.js";
import { exportCommand, EXPORT_HELP } from "./exports/cli.js";

interface Args {
  positional: string[];
  flags: Record<string, string | true>;
}

function parseArgs(argv: string[]): Args {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith("--")) {
      const [name, inline] = arg.slice(2).split("=", 2) as [string, string | undefined];
      const next = argv[i + 1];
      if (inline !== undefined) flags[name] = inline;
      else if (next !== undefined && !next.startsWith("--")) flags[name] = (i++, next);
      else flags[name] = true;
    } else positional.push(arg);
  }
  return { positional, flags };
}

const HELP = `chiso — survey collection and index scoring for SIPAS, PAPI and the PAR INDEX leader survey

Usage: chiso <command> [options]

Commands:
  serve [--port 3000] [--host 127.0.0.1] [--no-demo]
                         migrate, load questionnaires and units, open demo rounds on an
                         empty database, and serve the API and the web app
  migrate                apply database migrations
  import <dir|file>      import questionnaire editions (a surveys/ folder or one edition)
  units import <csv> --kind village|agency --registry 2025
                         add villages (commune_code,village_code,name) or agencies
                         (agency_code,name,province_code) to a unit registry
  round create --id ID --edition EDITION [--version V] --title-vi T --title-en T
               --registry 2025 [--scope KEY,KEY] [--groups a,b] [--modes public,enumerator]
               [--status draft|open] [--min-cell 5]
  round open|close ID    change a round's status
  round targets ID --per-unit N [--level village] [--group G]
                         sample targets: N responses per unit at a level of the round's scope
  round list             list rounds
  user add USERNAME --role admin|analyst|enumerator [--name NAME] [--password P]
           [--scope UNIT,UNIT] [--rounds ROUND,ROUND]
                         create an account (a password is generated and printed if not given)
  user list              list accounts
  user disable|enable USERNAME
  demo --round ID --responses N [--seed 1]
                         add N synthetic responses to a round
  ${EXPORT_HELP.replace(/\n/g, "\n  ")}
  help                   this text

Environment: DATABASE_URL (PostgreSQL), CHISO_DB (SQLite file), PORT, HOST,
             CHISO_SURVEYS (questionnaire folder), CHISO_DEMO_RESPONSES (default 300)
`;

function flag(args: Args, name: string): string | undefined {
  const v = args.flags[name];
  return typeof v === "string" ? v : undefined;
}

function required(args: Args, name: string): string {
  const v = flag(args, name);
  if (!v) throw new UsageError(`missing --${name}`);
  return v;
}

class UsageError extends Error {}

async function withContext<T>(config: Config, fn: (ctx: AppContext) => Promise<T>, prepare = true): Promise<T> {
  const ctx = await openContext(config);
  try {
    if (prepare) await prepareDatabase(ctx, config.surveysDir);
    return await fn(ctx);
  } finally {
    await ctx.db.close();
  }
}

async function serveCommand(config: Config, args: Args): Promise<void> {
  const ctx = await openContext(config);
  const report = await prepareDatabase(ctx, config.surveysDir);
  for (const e of report.editions) if (e.outcome === "imported") console.log(`imported ${e.id} ${e.version}`);
  const admin = await ensureFirstAdmin(ctx);
  const created = args.flags["no-demo"] ? [] : await ensureDemoRounds(ctx, config.demoResponses);
  const enumerator = created.length ? await ensureDemoEnumerator(ctx) : null;
  const port = Number(flag(args, "port") ?? config.port);
  const host = flag(args, "host") ?? config.host;
  const server = await listen(ctx, port, host);
  const rounds = await listRounds(ctx.db.kysely);
  console.log(`\nchiso is running on ${ctx.db.dialect === "sqlite" ? config.sqlitePath : "PostgreSQL"}`);
  console.log(`  API health:        ${server.url}/api/health`);
  console.log(`  Questionnaires:    ${server.url}/api/instruments`);
  for (const r of rounds.filter((r) => r.status === "open")) {
    console.log(`  Round ${r.id}: form ${server.url}/r/${r.id}`);
  }
  console.log(`  Enumerator app:    ${server.url}/collect`);
  console.log(`  Dashboard:         ${server.url}/dashboard   (analysts and administrators sign in)`);
  console.log(`  Administration:    ${server.url}/admin`);
  if (enumerator) console.log(`  Demo enumerator account: "${enumerator.username}", password: ${enumerator.password}`);
  if (admin) {
    console.log(`\n  First start: administrator "${admin.username}" with one-time password: ${admin.password}`);
    console.log('  (shown once; create your own administrator with "chiso user add", then disable this one)');
  }
  const stop = async () => {
    await server.close();
    await ctx.db.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

async function roundCommand(config: Config, args: Args): Promise<void> {
  const [, sub, id] = args.positional;
  await withContext(config, async (ctx) => {
    if (sub === "list") {
      for (const r of await listRounds(ctx.db.kysely)) console.log(`${r.id}\t${r.status}\t${r.editionId} ${r.editionVersion}\t${r.title.vi}`);
      return;
    }
    if (sub === "open" || sub === "close") {
      if (!id || !(await findRound(ctx.db.kysely, id))) throw new UsageError(`no round "${id ?? ""}"`);
      await setRoundStatus(ctx.db.kysely, id, sub === "open" ? "open" : "closed");
      console.log(`round ${id} is ${sub === "open" ? "open" : "closed"}`);
      return;
    }
    if (sub === "targets") {
      const round = id ? await findRound(ctx.db.kysely, id) : null;
      if (!round) throw new UsageError(`no round "${id ?? ""}"`);
      const perUnit = Number(required(args, "per-unit"));
      if (!Number.isInteger(perUnit) || perUnit < 1) throw new UsageError("--per-unit must be a positive whole number");
      const edition = await latestEdition(ctx.db.kysely, round.editionId);
      const level = flag(args, "level") ?? edition!.instrument.unitLevel;
      const group = flag(args, "group") ?? "";
      const units = round.scope.flatMap((s) => unitsAtLevel(ctx, s, level));
      await setTargets(ctx.db.kysely, round.id, units.map((unitKey) => ({ unitKey, group, target: perUnit })));
      console.log(`target ${perUnit} set for ${units.length} ${level} units of ${round.id}`);
      return;
    }
    if (sub !== "create") throw new UsageError("round create|open|close|list|targets");
    const editionId = required(args, "edition");
    const edition = await latestEdition(ctx.db.kysely, editionId);
    if (!edition) throw new UsageError(`no questionnaire "${editionId}"; import it first`);
    const list = (name: string) => flag(args, name)?.split(",").map((s) => s.trim()).filter(Boolean);
    const parsed = NewRoundSchema.safeParse({
      id: required(args, "id"),
      title: { vi: required(args, "title-vi"), en: required(args, "title-en") },
      edition: editionId,
      version: flag(args, "version") ?? edition.instrument.version,
      status: flag(args, "status") ?? "draft",
      registry: flag(args, "registry") ?? "2025",
      scope: list("scope") ?? [],
      groups: list("groups") ?? edition.instrument.respondentGroups.map((g) => g.code),
      modes: list("modes") ?? ["public"],
      minCellSize: Number(flag(args, "min-cell") ?? 5),
    });
    if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n"));
    for (const key of parsed.data.scope) if (!(await ctx.units.get(key))) throw new UsageError(`unknown unit "${key}" in --scope`);
    if (await findRound(ctx.db.kysely, parsed.data.id)) throw new UsageError(`round "${parsed.data.id}" already exists`);
    await insertRound(ctx.db.kysely, parsed.data);
    console.log(`created round ${parsed.data.id} (${parsed.data.status})`);
  });
}

async function unitsCommand(config: Config, args: Args): Promise<void> {
  const [, sub, file] = args.positional;
  if (sub !== "import" || !file) throw new UsageError("units import <csv> --kind village|agency --registry 2025");
  const kind = flag(args, "kind") ?? "village";
  const registry = flag(args, "registry") ?? "2025";
  await withContext(config, async (ctx) => {
    const text = fs.readFileSync(file, "utf8");
    const registryRow = await ctx.db.kysely.selectFrom("unit_registries").selectAll().where("id", "=", registry).executeTakeFirst();
    if (!registryRow) throw new UsageError(`no unit registry "${registry}"`);
    const ref = { id: registryRow.id, validFrom: registryRow.valid_from, validTo: registryRow.valid_to };
    const known = new Set((await ctx.db.kysely.selectFrom("units").select("key").where("registry", "=", registry).execute()).map((r) => r.key));
    const parsed = kind === "agency" ? parseAgencyCsv(text, ref, known) : parseVillageCsv(text, ref, known);
    if (parsed.errors.length) {
      for (const e of parsed.errors) console.error(`line ${e.line}, ${e.field}: ${e.message_vi} / ${e.message_en}`);
      throw new UsageError(`${parsed.errors.length} rows have errors; nothing was imported`);
    }
    const inserted = await ctx.db.kysely.transaction().execute((trx) => insertUnits(trx, parsed.units));
    ctx.units.remember(parsed.units.map(toUnitInfo));
    console.log(`${inserted} ${kind === "agency" ? "agencies" : "villages"} added (${parsed.units.length - inserted} already present)`);
  });
}

async function userCommand(config: Config, args: Args): Promise<void> {
  const [, sub, username] = args.positional;
  await withContext(config, async (ctx) => {
    const db = ctx.db.kysely;
    if (sub === "list") {
      for (const u of await listUsers(db)) {
        console.log(`${u.username}\t${u.role}\t${u.disabled ? "disabled" : "active"}\t${u.displayName}\t${u.unitScope.join(",") || "all units"}\t${u.rounds.join(",") || "all rounds"}`);
      }
      return;
    }
    if (!username) throw new UsageError("user add|disable|enable USERNAME");
    if (sub === "disable" || sub === "enable") {
      const row = await findUserByName(db, username);
      if (!row) throw new UsageError(`no user "${username}"`);
      await setUserDisabled(db, row.id, sub === "disable");
      await audit(db, "cli", `user.${sub}`, row.username);
      console.log(`${row.username} ${sub}d`);
      return;
    }
    if (sub !== "add") throw new UsageError("user add|list|disable|enable");
    const role = (flag(args, "role") ?? "") as Role;
    if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(", ")}`);
    const password = flag(args, "password") ?? randomToken(12);
    const list = (name: string) => flag(args, name)?.split(",").map((s) => s.trim()).filter(Boolean) ?? [];
    const parsed = NewUserSchema.safeParse({ username, displayName: flag(args, "name") ?? username, role, password, unitScope: list("scope"), rounds: list("rounds") });
    if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n"));
    if (await findUserByName(db, username)) throw new UsageError(`user "${username}" already exists`);
    for (const key of parsed.data.unitScope) if (!(await ctx.units.get(key))) throw new UsageError(`unknown unit "${key}"`);
    const user = await createUser(db, parsed.data);
    await audit(db, "cli", "user.create", user.username, { role });
    console.log(`created ${user.username} (${user.role})${flag(args, "password") ? "" : ` with password: ${password}`}`);
  });
}

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const config = loadConfig();
  const command = args.positional[0] ?? "help";
  try {
    switch (command) {
      case "help":
        console.log(HELP);
        return 0;
      case "serve":
        await serveCommand(config, args);
        return -1;
      case "migrate":
        await withContext(config, async (ctx) => console.log((await migrate(ctx.db)).join("\n") || "up to date"), false);
        return 0;
      case "import": {
        const target = args.positional[1] ?? config.surveysDir;
        await withContext(config, async (ctx) => {
          await migrate(ctx.db);
          for (const edition of loadSurveys(target)) {
            console.log(`${edition.instrument.id} ${edition.instrument.version}: ${await importEdition(ctx.db.kysely, edition)}`);
          }
        }, false);
        return 0;
      }
      case "units":
        await unitsCommand(config, args);
        return 0;
      case "round":
        await roundCommand(config, args);
        return 0;
      case "export":
        return await exportCommand(args.flags, config);
      case "user":
        await userCommand(config, args);
        return 0;
      case "demo":
        await withContext(config, async (ctx) => {
          const round = await findRound(ctx.db.kysely, required(args, "round"));
          if (!round) throw new UsageError("no such round");
          const n = await addDemoResponses(ctx, round, Number(flag(args, "responses") ?? 100), Number(flag(args, "seed") ?? 1));
          console.log(`${n} responses added to ${round.id}`);
        });
        return 0;
      default:
        if (args.flags.help) {
          console.log(HELP);
          return 0;
        }
        console.error(`unknown command "${command}"\n\n${HELP}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof UsageError) console.error(`error: ${error.message}`);
    else if (error instanceof DefinitionError) console.error(`questionnaire definitions have problems:\n${error.message}`);
    else if (error instanceof Problem) console.error(`error: ${error.text?.en ?? error.message}`);
    else throw error;
    return 1;
  }
}

const argv = process.argv.slice(2);
if (argv.includes("--help") && argv.length === 1) argv.splice(0, 1, "help");
const code = await main(argv);
if (code >= 0) process.exitCode = code;
