/**
 * `chiso user password USERNAME`: sets an account's password from the command line, typed at a
 * prompt that does not echo it, or read from standard input with --password-stdin (never from an
 * option, which would land in the shell history and the process list).
 */
import type { Readable } from "node:stream";
import type { ReadStream } from "node:tty";
import { CliError, writeLine, type Command, type Io } from "../lib/command-line.js";
import { withDatabase } from "../lib/command-database.js";
import { judgePassword } from "../../shared/accounts/password-policy.js";
import { findUserByName, setPassword } from "./repository.js";
import { audit } from "./audit.js";

/** The policy's refusal as a command-line error, in both languages. */
export function refuseWeakPassword(password: string, userInputs: ReadonlyArray<string>): void {
  const verdict = judgePassword(password, userInputs);
  if (!verdict.ok) throw new CliError({ vi: `Mật khẩu không dùng được: ${verdict.text.vi}`, en: `The password cannot be used: ${verdict.text.en}` });
}

async function readAll(stream: Readable): Promise<string> {
  let text = "";
  stream.setEncoding("utf8");
  for await (const chunk of stream) text += chunk as string;
  return text;
}

/**
 * Reads lines from a terminal without echoing them. Keys typed ahead (or pasted, several lines in
 * one chunk) are kept for the next question.
 */
function hiddenPrompt(io: Io): (prompt: string) => Promise<string> {
  const input = io.stdin as ReadStream;
  let pending = "";
  return (prompt) => {
    io.stderr.write(prompt);
    input.setRawMode(true);
    input.setEncoding("utf8");
    return new Promise((resolve, reject) => {
      let value = "";
      const finish = () => {
        input.off("data", onData);
        input.setRawMode(false);
        input.pause();
        io.stderr.write("\n");
      };
      const onData = (chunk: string) => {
        const chars = [...chunk];
        for (let i = 0; i < chars.length; i++) {
          const ch = chars[i]!;
          if (ch === "\r" || ch === "\n") {
            pending = chars
              .slice(i + 1)
              .join("")
              .replace(/^\n/, "");
            finish();
            return resolve(value);
          }
          if (ch === "\u0003" || ch === "\u0004") {
            finish();
            return reject(new CliError({ vi: "Đã hủy; mật khẩu không đổi.", en: "Cancelled; the password is unchanged." }));
          }
          if (ch === "\u007f" || ch === "\b") value = [...value].slice(0, -1).join("");
          else value += ch;
        }
      };
      input.on("data", onData);
      if (pending) {
        const typedAhead = pending;
        pending = "";
        onData(typedAhead);
      }
      input.resume();
    });
  };
}

export const USER_PASSWORD_COMMAND: Command = {
  name: "user password",
  usage: `chiso user password USERNAME [--password-stdin] [--temporary]
  Set an account's password: typed twice at a prompt that does not show it, or read from standard
  input (--password-stdin, one line). It must meet the password policy; the account's sessions
  end. --temporary: the account must change it at its next sign-in.`,
  options: { "password-stdin": { type: "boolean" }, temporary: { type: "boolean" } },
  args: ["USERNAME"],
  async run({ options, args, config, io }) {
    const username = args[0]!;
    await withDatabase(config, async (ctx) => {
      const db = ctx.db.kysely;
      const row = await findUserByName(db, username);
      if (!row) throw new CliError({ vi: `Không có tài khoản “${username}”.`, en: `There is no user “${username}”.` });
      let password: string;
      if (options["password-stdin"]) {
        password = (await readAll(io.stdin)).replace(/\r?\n$/, "");
      } else if ((io.stdin as Partial<ReadStream>).isTTY) {
        const ask = hiddenPrompt(io);
        password = await ask(`Mật khẩu mới cho / New password for ${row.username}: `);
        const again = await ask("Nhập lại / Again: ");
        if (again !== password)
          throw new CliError({ vi: "Hai lần nhập không khớp; mật khẩu không đổi.", en: "The two entries differ; the password is unchanged." });
      } else {
        throw new CliError(
          {
            vi: "Đầu vào không phải bàn phím: dùng --password-stdin để đọc mật khẩu từ đầu vào chuẩn.",
            en: "Standard input is not a terminal: use --password-stdin to read the password from it.",
          },
          2,
        );
      }
      refuseWeakPassword(password, [row.username, row.display_name]);
      const temporary = Boolean(options.temporary);
      await setPassword(db, row.id, password, { mustChange: temporary });
      await audit(db, "cli", "user.password-reset", row.username, { temporary });
      writeLine(io.stdout, `password of ${row.username} set${temporary ? " (to be changed at the next sign-in)" : ""}; its sessions ended`);
    });
  },
};
