/**
 * The frame of the chiso command line: a command is a row of a table (words, usage, options with
 * the values they accept, positional arguments, what it does), parsed strictly with node:util
 * parseArgs so that an unknown option or a bad value stops the command before it does anything.
 */
import type { Readable, Writable } from "node:stream";
import { parseArgs } from "node:util";
import { problemMessage } from "../../shared/errors.js";
import type { Text } from "../../shared/i18n.js";
import type { Config } from "../config.js";
import { Problem } from "../http/problem.js";
import { controlCharacter } from "../../shared/api/strings.js";

/** Where a command reads and writes: the process's streams, or a test's. */
export interface Io {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

export type OptionSpec =
  | { type: "boolean" }
  | {
      type: "string";
      /** The value must be one of these. */
      values?: readonly string[];
      /** The value must be a whole number in this range. */
      integer?: { min: number; max?: number };
      required?: boolean;
    };

export interface CommandInput {
  /** Option values as given (strings already checked against their spec), without defaults. */
  options: Record<string, string | boolean | undefined>;
  /** Positional arguments, as many as `args` names. */
  args: string[];
  config: Config;
  io: Io;
}

export interface Command {
  /** The words after "chiso", e.g. "round create". */
  name: string;
  /** Synopsis and what it does: printed by `--help` and `chiso help <command>`. */
  usage: string;
  options: Record<string, OptionSpec>;
  /** Positional arguments by name; a trailing "?" marks an optional one. */
  args: readonly string[];
  /** Returns the exit code (0 when nothing is returned). */
  run(input: CommandInput): Promise<number | void>;
}

/** A mistake in how the command was called or what it was given: printed in both languages, exit 1 (2 for usage). */
export class CliError extends Error {
  constructor(
    readonly text: Text,
    readonly exitCode = 1,
    /** Further lines, e.g. one per bad line of a file. */
    readonly details: string[] = [],
  ) {
    super(text.en);
  }
}

export const usageError = (vi: string, en: string) => new CliError({ vi, en }, 2);

/** Which error of parseArgs this is, and the option it names. */
function parseArgsError(error: unknown, command: Command): CliError | null {
  const code = (error as { code?: string }).code;
  const message = (error as Error).message ?? "";
  const named = message.match(/'(-[^' ]+)/)?.[1] ?? "";
  const where = `“chiso ${command.name}”`;
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    return usageError(`Lệnh ${where} không có tùy chọn ${named}.`, `${where} has no option ${named}.`);
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const option = named.replace(/^-+/, "");
    const spec = command.options[option];
    return spec?.type === "boolean"
      ? usageError(`Tùy chọn ${named} không nhận giá trị.`, `The option ${named} takes no value.`)
      : usageError(
          `Tùy chọn ${named} cần một giá trị (viết ${named}=-x cho giá trị bắt đầu bằng “-”).`,
          `The option ${named} needs a value (write ${named}=-x for a value starting with “-”).`,
        );
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    return usageError(
      `Lệnh ${where} không nhận đối số “${message.match(/'([^']*)'/)?.[1] ?? ""}”.`,
      `${where} takes no argument “${message.match(/'([^']*)'/)?.[1] ?? ""}”.`,
    );
  }
  return null;
}

/** The text rule of the API (docs/security.md, "Input rules") holds on the command line too: no stored text holds a control character. */
function refuseControlCharacter(name: string, text: string): void {
  const c = controlCharacter(text);
  if (c) throw usageError(`${name} chứa ký tự điều khiển ${c}, không được phép.`, `${name} holds the control character ${c}, which is not allowed.`);
}

/**
 * Parses a command's arguments strictly: unknown options, missing or malformed values, too many or
 * too few positional arguments are a CliError that names them. `--help` is returned as such.
 */
export function parseCommand(command: Command, argv: string[]): { help: true } | { help: false; options: CommandInput["options"]; args: string[] } {
  const options = Object.fromEntries(Object.entries(command.options).map(([name, spec]) => [name, { type: spec.type }]));
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals: true });
  } catch (error) {
    throw parseArgsError(error, command) ?? error;
  }
  if (parsed.values.help) return { help: true };
  const values = parsed.values as Record<string, string | boolean | undefined>;
  for (const [name, spec] of Object.entries(command.options)) {
    const value = values[name];
    if (spec.type !== "string") continue;
    if (value === undefined) {
      if (spec.required) throw usageError(`Thiếu tùy chọn --${name}.`, `The option --${name} is missing.`);
      continue;
    }
    const text = String(value);
    refuseControlCharacter(`--${name}`, text);
    if (spec.values && !spec.values.includes(text)) {
      throw usageError(
        `--${name} "${text}" không hợp lệ; dùng: ${spec.values.join(", ")}.`,
        `--${name} "${text}" is not valid; use ${spec.values.join(", ")}.`,
      );
    }
    if (spec.integer) {
      const { min, max } = spec.integer;
      const n = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
      if (!Number.isSafeInteger(n) || n < min || (max !== undefined && n > max)) {
        const range = max === undefined ? `≥ ${min}` : `${min}–${max}`;
        throw usageError(`--${name} "${text}" phải là số nguyên ${range}.`, `--${name} "${text}" must be a whole number ${range}.`);
      }
    }
  }
  const required = command.args.filter((a) => !a.endsWith("?")).length;
  const given = parsed.positionals;
  given.forEach((arg, i) => refuseControlCharacter(command.args[i]?.replace(/\?$/, "") ?? "", arg));
  if (given.length < required) {
    const missing = command.args[given.length]!;
    throw usageError(`Thiếu đối số ${missing}.`, `The argument ${missing} is missing.`);
  }
  if (given.length > command.args.length) {
    throw usageError(
      `Lệnh “chiso ${command.name}” không nhận đối số “${given[command.args.length]}”.`,
      `“chiso ${command.name}” takes no argument “${given[command.args.length]}”.`,
    );
  }
  return { help: false, options: values, args: given };
}

/** A string option's value (already checked), or undefined. */
export function stringOption(options: CommandInput["options"], name: string): string | undefined {
  const value = options[name];
  return typeof value === "string" ? value : undefined;
}

/** A comma-separated list option ("a,b"), or undefined when not given. */
export function listOption(options: CommandInput["options"], name: string): string[] | undefined {
  return stringOption(options, name)
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

export function writeLine(stream: Writable, line = ""): void {
  stream.write(`${line}\n`);
}

/** Vietnamese, then English, each on its own line. */
export function printBilingual(stream: Writable, text: Text, details: readonly string[] = []): void {
  writeLine(stream, `lỗi:   ${text.vi}`);
  writeLine(stream, `error: ${text.en}`);
  for (const line of details) writeLine(stream, `  ${line}`);
}

/** A problem of the HTTP layer (same codes as the API), as the command line shows it: both languages, with its field errors. */
export function printProblem(stream: Writable, problem: Problem): void {
  const text = problem.text ?? problemMessage(problem.code, problem.detail);
  const details = (problem.errors ?? []).map((e) => `${e.question}: ${e.message_vi} / ${e.message_en}`);
  printBilingual(stream, text, details);
}
