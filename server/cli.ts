/**
 * The chiso command line: `chiso <command> [options]`, one row of COMMANDS per command. Every
 * command works on the database named by DATABASE_URL (PostgreSQL) or CHISO_DB (SQLite file,
 * default ./data/chiso.db); only serve, migrate and import create or migrate it.
 */
import fs from "node:fs";
import { loadConfig } from "./config.js";
import { openContext, prepareDatabase } from "./bootstrap.js";
import { listen } from "./serve.js";
import { loadSurveys, DefinitionError } from "./instruments/load.js";
import { getEdition, importEdition, latestEdition } from "./instruments/repository.js";
import { ensureDemoRounds, addDemoResponses, ensureDemoEnumerator } from "./demo/seed.js";
import { newRoundErrors } from "./rounds/validate.js";
import { MAX_MIN_CELL_SIZE, NewRoundSchema, insertRound, findRound, listRounds, setRoundStatus, setTargets, type Round } from "./rounds/repository.js";
import { unitsAtLevel } from "./units/walk.js";
import { parseVillageCsv, parseAgencyCsv } from "./units/registry-data.js";
import { insertUnits, toUnitInfo } from "./units/repository.js";
import { Problem } from "./http/problem.js";
import type { AppContext } from "./app-context.js";
import { ensureFirstAdmin } from "./accounts/first-start.js";
import { ROLES, createUser, findUserByName, listUsers, setUserDisabled, type Role } from "./accounts/repository.js";
import { NewUserSchema } from "./accounts/service.js";
import { audit } from "./accounts/audit.js";
import { USER_PASSWORD_COMMAND, refuseWeakPassword } from "./accounts/cli.js";
import { randomToken } from "./lib/secrets.js";
import { CsvFileError, decodeCsv } from "./lib/csv.js";
import { EXPORT_COMMAND } from "./exports/cli.js";
import { XLSFORM_EXPORT_COMMAND, XLSFORM_IMPORT_COMMAND } from "./xlsform/cli.js";
import { ODK_SETTINGS_COMMAND } from "./openrosa/cli.js";
import { API_TOKEN_CREATE_COMMAND, API_TOKEN_LIST_COMMAND, API_TOKEN_REVOKE_COMMAND } from "./accounts/api-tokens-cli.js";
import { MODES, ROUND_STATUSES } from "../shared/api/schemas.js";
import { UNIT_LEVELS } from "../shared/units/levels.js";
import {
  CliError,
  listOption,
  parseCommand,
  printBilingual,
  printProblem,
  stringOption,
  usageError,
  writeLine,
  type Command,
  type Io,
} from "./lib/command-line.js";
import { migrateDatabase, withDatabase, withMigratedDatabase } from "./lib/command-database.js";

/** Zod issues as the lines under a bilingual "values are not valid". */
function invalidValues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): CliError {
  return new CliError(
    { vi: "Giá trị không hợp lệ:", en: "Values that are not valid:" },
    1,
    issues.map((i) => `${i.path.map(String).join(".")}: ${i.message}`),
  );
}

async function roundOrFail(ctx: AppContext, id: string): Promise<Round> {
  const round = await findRound(ctx.db.kysely, id);
  if (!round) throw new CliError({ vi: `Không tìm thấy đợt khảo sát “${id}”.`, en: `Survey round “${id}” not found.` });
  return round;
}

/** The file's text through the one CSV decoder (UTF-8, UTF-16 with BOM, Vietnamese Windows-1258). */
function readCsvFile(file: string): string {
  try {
    return decodeCsv(fs.readFileSync(file)).text;
  } catch (error) {
    if (error instanceof CsvFileError)
      throw new CliError({ vi: `Không đọc được ${file}; chưa nhập gì.`, en: `Cannot read ${file}; nothing was imported.` }, 1, [
        `${error.fieldError().question}: ${error.text.vi} / ${error.text.en}`,
      ]);
    // Reading a folder fails without a path in the error: name the file given.
    if ((error as NodeJS.ErrnoException).code === "EISDIR")
      throw new CliError({ vi: `“${file}” là một thư mục, không phải tệp CSV.`, en: `“${file}” is a folder, not a CSV file.` });
    throw error;
  }
}

const serve: Command = {
  name: "serve",
  usage: `chiso serve [--port 3000] [--host 127.0.0.1] [--no-demo]
  Migrate, load questionnaires and units, open demo rounds on an empty database (not with
  --no-demo), and serve the API and the web app until stopped.`,
  options: { port: { type: "string", integer: { min: 0, max: 65535 } }, host: { type: "string" }, "no-demo": { type: "boolean" } },
  args: [],
  async run({ options, config, io }) {
    const ctx = await openContext(config);
    const report = await prepareDatabase(ctx, config.surveysDir);
    const say = (line = "") => writeLine(io.stdout, line);
    for (const e of report.editions) if (e.outcome === "imported") say(`imported ${e.id} ${e.version}`);
    const admin = await ensureFirstAdmin(ctx);
    const created = options["no-demo"] ? [] : await ensureDemoRounds(ctx, config.demoResponses, config.surveysDir);
    const enumerator = created.length ? await ensureDemoEnumerator(ctx) : null;
    const port = Number(stringOption(options, "port") ?? config.port);
    const host = stringOption(options, "host") ?? config.host;
    const server = await listen(ctx, port, host);
    const rounds = await listRounds(ctx.db.kysely);
    say(`\nchiso is running on ${ctx.db.dialect === "sqlite" ? config.sqlitePath : "PostgreSQL"}`);
    say(`  API health:        ${server.url}/api/health`);
    say(`  Questionnaires:    ${server.url}/api/instruments`);
    for (const r of rounds.filter((r) => r.status === "open")) {
      // A round open only to invitees has no public form: its links are made per invitee.
      if (r.modes.includes("public")) say(`  Round ${r.id}: form ${server.url}/r/${r.id}`);
      else if (r.modes.includes("enumerator")) say(`  Round ${r.id}: collected in the enumerator app`);
      else say(`  Round ${r.id}: by invitation only — links in ${server.url}/admin (Thư mời / Invitations)`);
    }
    say(`  Enumerator app:    ${server.url}/collect`);
    say(`  Dashboard:         ${server.url}/dashboard   (analysts and administrators sign in)`);
    // PAR INDEX rounds take no survey responses: their place is the dashboard (evidence, review, results).
    for (const r of rounds) {
      const edition = await getEdition(ctx.db.kysely, r.editionId, r.editionVersion);
      if (edition?.parIndex) say(`  PAR INDEX ${r.id}: ${server.url}/dashboard#round=${r.id}`);
    }
    say(`  Administration:    ${server.url}/admin`);
    if (enumerator) say(`  Demo enumerator account: "${enumerator.username}", password: ${enumerator.password}`);
    if (admin?.password) {
      say(`\n  First start: administrator "${admin.username}" with one-time password: ${admin.password}`);
      say("  (shown once; it must be changed at the first sign-in)");
    } else if (admin) say(`\n  First start: administrator "${admin.username}" with the password from CHISO_ADMIN_PASSWORD`);
    const stop = async () => {
      await server.close();
      await ctx.db.close();
      process.exit(0);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    // The listening server keeps the process alive after this returns.
  },
};

const migrateCommand: Command = {
  name: "migrate",
  usage: `chiso migrate
  Create or update the database: apply its migrations and load the national unit registries.`,
  options: {},
  args: [],
  async run({ config, io }) {
    const ctx = await openContext({ ...config, clientDir: null });
    try {
      writeLine(io.stdout, (await migrateDatabase(ctx, io.stderr)).join("\n") || "up to date");
    } finally {
      await ctx.db.close();
    }
  },
};

const importCommand: Command = {
  name: "import",
  usage: `chiso import [DIR|FILE]
  Import questionnaire editions: a surveys/ folder (default CHISO_SURVEYS) or one edition's folder.
  A changed file under a published version is refused. Migrates the database first.`,
  options: {},
  args: ["DIR?"],
  async run({ args, config, io }) {
    const target = args[0] ?? config.surveysDir;
    if (!fs.existsSync(target)) throw new CliError({ vi: `Không có tệp hoặc thư mục “${target}”.`, en: `There is no file or folder “${target}”.` });
    // Definitions are checked before the database is touched.
    const editions = loadSurveys(target);
    await withMigratedDatabase(config, io.stderr, async (ctx) => {
      for (const edition of editions)
        writeLine(io.stdout, `${edition.instrument.id} ${edition.instrument.version}: ${await importEdition(ctx.db.kysely, edition)}`);
    });
  },
};

const unitsImport: Command = {
  name: "units import",
  usage: `chiso units import CSV [--kind village|agency] [--registry 2025]
  Add villages (columns commune_code,village_code,name[,type]) or agencies
  (agency_code,name,province_code[,type]) to a unit registry. The file is UTF-8 (with or without
  BOM), UTF-16 with BOM, or Vietnamese Windows-1258; separated by "," ";" or TAB. A file with a bad
  row imports nothing.`,
  options: { kind: { type: "string", values: ["village", "agency"] }, registry: { type: "string" } },
  args: ["CSV"],
  async run({ options, args, config, io }) {
    const file = args[0]!;
    const kind = stringOption(options, "kind") ?? "village";
    const registry = stringOption(options, "registry") ?? "2025";
    const text = readCsvFile(file);
    await withDatabase(config, async (ctx) => {
      const registryRow = await ctx.db.kysely.selectFrom("unit_registries").selectAll().where("id", "=", registry).executeTakeFirst();
      if (!registryRow) throw new CliError({ vi: `Không có danh mục đơn vị “${registry}”.`, en: `There is no unit registry “${registry}”.` });
      const ref = { id: registryRow.id, validFrom: registryRow.valid_from, validTo: registryRow.valid_to };
      const known = new Set((await ctx.db.kysely.selectFrom("units").select("key").where("registry", "=", registry).execute()).map((r) => r.key));
      const parsed = kind === "agency" ? parseAgencyCsv(text, ref, known) : parseVillageCsv(text, ref, known);
      if (parsed.errors.length) {
        const lines = new Set(parsed.errors.map((e) => e.line)).size;
        throw new CliError(
          { vi: `Tệp có lỗi ở ${lines} dòng; chưa nhập đơn vị nào.`, en: `The file has errors on ${lines} line(s); no unit was imported.` },
          1,
          parsed.errors.map((e) => `line ${e.line}${e.field ? `, ${e.field}` : ""}: ${e.message_vi} / ${e.message_en}`),
        );
      }
      const inserted = await ctx.db.kysely.transaction().execute((trx) => insertUnits(trx, parsed.units));
      ctx.units.remember(parsed.units.map(toUnitInfo));
      writeLine(io.stdout, `${inserted} ${kind === "agency" ? "agencies" : "villages"} added (${parsed.units.length - inserted} already present)`);
    });
  },
};

const roundCreate: Command = {
  name: "round create",
  usage: `chiso round create --id ID --edition EDITION [--version V] --title-vi T --title-en T
                   [--registry 2025] [--scope KEY,KEY] [--groups a,b] [--modes public,enumerator,invitation]
                   [--status draft|open] [--min-cell 5]
  Create a survey round. Without --scope it is open to every unit of the registry.`,
  options: {
    id: { type: "string", required: true },
    edition: { type: "string", required: true },
    version: { type: "string" },
    "title-vi": { type: "string", required: true },
    "title-en": { type: "string", required: true },
    registry: { type: "string" },
    scope: { type: "string" },
    groups: { type: "string" },
    modes: { type: "string" },
    status: { type: "string", values: ROUND_STATUSES.filter((s) => s !== "closed") },
    "min-cell": { type: "string", integer: { min: 1, max: MAX_MIN_CELL_SIZE } },
  },
  args: [],
  async run({ options, config, io }) {
    const flag = (name: string) => stringOption(options, name);
    const modes = listOption(options, "modes") ?? ["public"];
    for (const mode of modes) {
      if (!(MODES as readonly string[]).includes(mode))
        throw usageError(`--modes: “${mode}” không hợp lệ; dùng: ${MODES.join(", ")}.`, `--modes: “${mode}” is not valid; use ${MODES.join(", ")}.`);
    }
    await withDatabase(config, async (ctx) => {
      const editionId = flag("edition")!;
      const edition = await latestEdition(ctx.db.kysely, editionId);
      if (!edition)
        throw new CliError({
          vi: `Không có bộ câu hỏi “${editionId}”; hãy nhập nó trước (chiso import).`,
          en: `No questionnaire “${editionId}”; import it first (chiso import).`,
        });
      const parsed = NewRoundSchema.safeParse({
        id: flag("id"),
        title: { vi: flag("title-vi"), en: flag("title-en") },
        edition: editionId,
        version: flag("version") ?? edition.instrument.version,
        status: flag("status") ?? "draft",
        registry: flag("registry") ?? "2025",
        scope: listOption(options, "scope") ?? [],
        groups: listOption(options, "groups") ?? edition.instrument.respondentGroups.map((g) => g.code),
        modes,
        minCellSize: Number(flag("min-cell") ?? 5),
      });
      if (!parsed.success) throw invalidValues(parsed.error.issues);
      // The same checks as POST /api/rounds: the registry exists, the scope lies in it, the groups are the questionnaire's.
      const errors = await newRoundErrors(ctx, parsed.data, edition.instrument);
      if (errors.length)
        throw new CliError(
          { vi: "Giá trị không hợp lệ:", en: "Values that are not valid:" },
          1,
          errors.map((e) => `${e.question}: ${e.message_vi} / ${e.message_en}`),
        );
      if (await findRound(ctx.db.kysely, parsed.data.id))
        throw new CliError({ vi: `Đợt khảo sát “${parsed.data.id}” đã có.`, en: `The round “${parsed.data.id}” already exists.` });
      await insertRound(ctx.db.kysely, parsed.data);
      writeLine(io.stdout, `created round ${parsed.data.id} (${parsed.data.status})`);
    });
  },
};

function roundStatusCommand(status: "open" | "closed"): Command {
  const verb = status === "open" ? "open" : "close";
  return {
    name: `round ${verb}`,
    usage: `chiso round ${verb} ID\n  ${status === "open" ? "Open a round for responses." : "Close a round: no further responses."}`,
    options: {},
    args: ["ID"],
    async run({ args, config, io }) {
      await withDatabase(config, async (ctx) => {
        const round = await roundOrFail(ctx, args[0]!);
        await setRoundStatus(ctx.db.kysely, round.id, status);
        writeLine(io.stdout, `round ${round.id} is ${status}`);
      });
    },
  };
}

const roundTargets: Command = {
  name: "round targets",
  usage: `chiso round targets ID --per-unit N [--level village] [--group G]
  Sample targets: N responses per unit at a level of the round's scope (default the questionnaire's level).`,
  options: {
    "per-unit": { type: "string", required: true, integer: { min: 1, max: 1_000_000 } },
    level: { type: "string", values: UNIT_LEVELS },
    group: { type: "string" },
  },
  args: ["ID"],
  async run({ options, args, config, io }) {
    await withDatabase(config, async (ctx) => {
      const round = await roundOrFail(ctx, args[0]!);
      const perUnit = Number(stringOption(options, "per-unit"));
      const edition = await latestEdition(ctx.db.kysely, round.editionId);
      const level = stringOption(options, "level") ?? edition!.instrument.unitLevel;
      const group = stringOption(options, "group") ?? "";
      if (group && !round.groups.includes(group))
        throw usageError(
          `--group “${group}” không có trong đợt (${round.groups.join(", ")}).`,
          `--group “${group}” is not a group of the round (${round.groups.join(", ")}).`,
        );
      const units = round.scope.flatMap((s) => unitsAtLevel(ctx, s, level));
      await setTargets(
        ctx.db.kysely,
        round.id,
        units.map((unitKey) => ({ unitKey, group, target: perUnit })),
      );
      writeLine(io.stdout, `target ${perUnit} set for ${units.length} ${level} units of ${round.id}`);
    });
  },
};

const roundList: Command = {
  name: "round list",
  usage: "chiso round list\n  List rounds: id, status, questionnaire, title.",
  options: {},
  args: [],
  async run({ config, io }) {
    await withDatabase(config, async (ctx) => {
      for (const r of await listRounds(ctx.db.kysely)) writeLine(io.stdout, `${r.id}\t${r.status}\t${r.editionId} ${r.editionVersion}\t${r.title.vi}`);
    });
  },
};

const userAdd: Command = {
  name: "user add",
  usage: `chiso user add USERNAME --role admin|analyst|enumerator [--name NAME] [--password P]
                [--scope UNIT,UNIT] [--rounds ROUND,ROUND]
  Create an account. Without --password one is generated and printed; it must be changed at the first sign-in.`,
  options: {
    role: { type: "string", required: true, values: ROLES },
    name: { type: "string" },
    password: { type: "string" },
    scope: { type: "string" },
    rounds: { type: "string" },
  },
  args: ["USERNAME"],
  async run({ options, args, config, io }) {
    const username = args[0]!;
    await withDatabase(config, async (ctx) => {
      const db = ctx.db.kysely;
      const role = stringOption(options, "role") as Role;
      const given = stringOption(options, "password");
      const password = given ?? randomToken(12);
      const parsed = NewUserSchema.safeParse({
        username,
        displayName: stringOption(options, "name") ?? username,
        role,
        password,
        unitScope: listOption(options, "scope") ?? [],
        rounds: listOption(options, "rounds") ?? [],
      });
      if (!parsed.success) throw invalidValues(parsed.error.issues);
      refuseWeakPassword(parsed.data.password, [parsed.data.username, parsed.data.displayName]);
      if (await findUserByName(db, username)) throw new CliError({ vi: `Tài khoản “${username}” đã có.`, en: `The user “${username}” already exists.` });
      for (const key of parsed.data.unitScope)
        if (!(await ctx.units.get(key))) throw new CliError({ vi: `--scope: không có đơn vị “${key}”.`, en: `--scope: there is no unit “${key}”.` });
      // A generated password is printed, so it is temporary, like the first administrator's: the first sign-in changes it.
      const user = await createUser(db, { ...parsed.data, mustChangePassword: given === undefined });
      await audit(db, "cli", "user.create", user.username, { role });
      writeLine(io.stdout, `created ${user.username} (${user.role})${given ? "" : ` with password: ${password}`}`);
    });
  },
};

const userList: Command = {
  name: "user list",
  usage: "chiso user list\n  List accounts: username, role, status, name, units, rounds.",
  options: {},
  args: [],
  async run({ config, io }) {
    await withDatabase(config, async (ctx) => {
      for (const u of await listUsers(ctx.db.kysely)) {
        writeLine(
          io.stdout,
          `${u.username}\t${u.role}\t${u.disabled ? "disabled" : "active"}\t${u.displayName}\t${u.unitScope.join(",") || "all units"}\t${u.rounds.join(",") || "all rounds"}`,
        );
      }
    });
  },
};

function userStatusCommand(action: "disable" | "enable"): Command {
  return {
    name: `user ${action}`,
    usage: `chiso user ${action} USERNAME\n  ${action === "disable" ? "Disable an account: it can no longer sign in." : "Enable a disabled account again."}`,
    options: {},
    args: ["USERNAME"],
    async run({ args, config, io }) {
      await withDatabase(config, async (ctx) => {
        const row = await findUserByName(ctx.db.kysely, args[0]!);
        if (!row) throw new CliError({ vi: `Không có tài khoản “${args[0]}”.`, en: `There is no user “${args[0]}”.` });
        await setUserDisabled(ctx.db.kysely, row.id, action === "disable");
        await audit(ctx.db.kysely, "cli", `user.${action}`, row.username);
        writeLine(io.stdout, `${row.username} ${action}d`);
      });
    },
  };
}

const demo: Command = {
  name: "demo",
  usage: "chiso demo --round ID [--responses 100] [--seed 1]\n  Add synthetic responses with realistic variation to a round.",
  options: {
    round: { type: "string", required: true },
    responses: { type: "string", integer: { min: 1, max: 1_000_000 } },
    seed: { type: "string", integer: { min: 0 } },
  },
  args: [],
  async run({ options, config, io }) {
    await withDatabase(config, async (ctx) => {
      const round = await roundOrFail(ctx, stringOption(options, "round")!);
      const level = (await latestEdition(ctx.db.kysely, round.editionId))?.instrument.unitLevel ?? "village";
      if (!round.scope.some((key) => unitsAtLevel(ctx, key, level).length > 0)) {
        throw new CliError({
          vi: `Phạm vi của đợt ${round.id} không có đơn vị cấp ${level}; hãy nhập chúng trước (chiso units import).`,
          en: `Round ${round.id} has no ${level} units in its scope; import them first (chiso units import).`,
        });
      }
      const n = await addDemoResponses(ctx, round, Number(stringOption(options, "responses") ?? 100), Number(stringOption(options, "seed") ?? 1));
      writeLine(io.stdout, `${n} responses added to ${round.id}`);
    });
  },
};

/** Every command, in the order help lists them. A new command is one more entry. */
export const COMMANDS: Command[] = [
  serve,
  migrateCommand,
  importCommand,
  unitsImport,
  roundCreate,
  roundStatusCommand("open"),
  roundStatusCommand("closed"),
  roundTargets,
  roundList,
  userAdd,
  userList,
  USER_PASSWORD_COMMAND,
  userStatusCommand("disable"),
  userStatusCommand("enable"),
  API_TOKEN_CREATE_COMMAND,
  API_TOKEN_LIST_COMMAND,
  API_TOKEN_REVOKE_COMMAND,
  demo,
  EXPORT_COMMAND,
  XLSFORM_IMPORT_COMMAND,
  XLSFORM_EXPORT_COMMAND,
  ODK_SETTINGS_COMMAND,
];

function help(commands: readonly Command[] = COMMANDS): string {
  return `chiso — survey collection and index scoring for SIPAS, PAPI and the PAR INDEX leader survey

Usage: chiso <command> [options]     chiso help <command>     chiso <command> --help

Commands:
${commands.map((c) => `  ${c.usage.replace(/\n/g, "\n  ")}`).join("\n")}

Environment: DATABASE_URL (PostgreSQL), CHISO_DB (SQLite file), PORT, HOST,
             CHISO_SURVEYS (questionnaire folder), CHISO_DEMO_RESPONSES (default 300)
`;
}

/** The command named by the first words of argv (longest match), with the arguments after its name. */
function findCommand(argv: readonly string[], commands: readonly Command[]): { command: Command; rest: string[] } | null {
  for (let n = Math.min(3, argv.length); n >= 1; n--) {
    const name = argv.slice(0, n).join(" ");
    const command = commands.find((c) => c.name === name);
    if (command) return { command, rest: argv.slice(n) };
  }
  return null;
}

/** Commands whose name starts with these words ("round" → round create, round open, …). */
function commandsUnder(words: readonly string[], commands: readonly Command[]): Command[] {
  const prefix = words.join(" ") + " ";
  return commands.filter((c) => c.name.startsWith(prefix) || c.name === words.join(" "));
}

const fileErrorCodes = new Set(["ENOENT", "EACCES", "EISDIR", "ENOTDIR", "EEXIST", "EROFS", "ENOSPC"]);

/** Runs one command line; returns the exit code. Nothing here exits the process, so tests call it directly. */
export async function main(argv: string[], io: Io = process, env: NodeJS.ProcessEnv = process.env, commands: readonly Command[] = COMMANDS): Promise<number> {
  const out = (text: string) => io.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || (argv[0] === "help" && argv.length === 1)) {
    out(help(commands));
    return 0;
  }
  try {
    if (argv[0] === "help") {
      const words = argv.slice(1);
      const found = findCommand(words, commands);
      const group = commandsUnder(words, commands);
      if (found && found.rest.length === 0) out(found.command.usage);
      else if (group.length) out(group.map((c) => c.usage).join("\n\n"));
      else
        throw usageError(
          `Không có lệnh “${words.join(" ")}”; “chiso help” liệt kê các lệnh.`,
          `unknown command “${words.join(" ")}”; “chiso help” lists the commands.`,
        );
      return 0;
    }
    const found = findCommand(argv, commands);
    if (!found) {
      const words = argv.filter((a) => !a.startsWith("-"));
      const group = commandsUnder(words.slice(0, 1), commands);
      if (group.length && argv.length > 0 && (argv.includes("--help") || argv.includes("-h"))) {
        out(group.map((c) => c.usage).join("\n\n"));
        return 0;
      }
      if (group.length) {
        throw usageError(
          `“chiso ${words[0]}” cần một lệnh con: ${group.map((c) => c.name).join(", ")}.`,
          `“chiso ${words[0]}” needs a subcommand: ${group.map((c) => c.name).join(", ")}.`,
        );
      }
      throw usageError(`Không có lệnh “${argv[0]}”; “chiso help” liệt kê các lệnh.`, `unknown command “${argv[0]}”; “chiso help” lists the commands.`);
    }
    const { command, rest } = found;
    const parsed = parseCommand(command, rest);
    if (parsed.help) {
      out(command.usage);
      return 0;
    }
    return (await command.run({ options: parsed.options, args: parsed.args, config: loadConfig(env), io })) ?? 0;
  } catch (error) {
    if (error instanceof CliError) {
      printBilingual(io.stderr, error.text, error.details);
      if (error.exitCode === 2) {
        const usage =
          findCommand(argv, commands)?.command.usage ??
          commandsUnder(argv.slice(0, 1), commands)
            .map((c) => c.usage)
            .join("\n\n");
        writeLine(io.stderr, `\n${usage || "chiso help"}`);
      }
      return error.exitCode;
    }
    if (error instanceof Problem) printProblem(io.stderr, error);
    else if (error instanceof DefinitionError) {
      printBilingual(io.stderr, { vi: "Định nghĩa bộ câu hỏi có lỗi:", en: "The questionnaire definitions have problems:" }, error.message.split("\n"));
    } else if (fileErrorCodes.has((error as NodeJS.ErrnoException).code ?? "")) {
      // A file the user named that cannot be read or written: a mistake, not a crash.
      const e = error as NodeJS.ErrnoException;
      printBilingual(io.stderr, { vi: `Không mở được “${e.path ?? ""}” (${e.code}).`, en: `Cannot open “${e.path ?? ""}” (${e.code}).` });
    } else throw error;
    return 1;
  }
}
