/**
 * The PAR INDEX departments tab: which accounts enter evidence for which agencies (Sở Tài chính,
 * Văn phòng UBND…), binding an account, changing and removing its agencies. Errors show in both languages.
 */
import { useRef, useState } from "preact/hooks";
import type { FieldError } from "../../shared/errors.js";
import type { Text } from "../../shared/i18n.js";
import type { AgencyMember, AgencyMemberList, AgencyMembers } from "../../shared/api/par-index.js";
import { HttpError, requestJson } from "../common/net.js";
import { fill, tr } from "../common/i18n.js";
import { Notice } from "../common/ui.js";
import { api } from "./api.js";
import { Check, Field, FieldGroup, Show, TableWrap, useAsync, useConfirm } from "./common.js";
import { A, AP } from "./strings.js";
import type { TabProps } from "./app.js";

type Member = AgencyMemberList["members"][number];

const enc = encodeURIComponent;
const members = () => requestJson<AgencyMemberList>("/api/par/agency-members");
const bind = (username: string, agencies: string[]) =>
  requestJson<AgencyMember>(`/api/par/agency-members/${enc(username)}`, { method: "PUT", json: { agencies } satisfies AgencyMembers });

/** A failure in both languages, Vietnamese first: the message and each field's reason. */
interface Failure {
  message: Text;
  errors: FieldError[];
}
function failureOf(error: unknown): Failure {
  if (error instanceof HttpError && error.body?.error) {
    const e = error.body.error;
    return { message: { vi: e.message_vi, en: e.message_en }, errors: e.errors ?? [] };
  }
  return { message: A.offline, errors: [] };
}
const local = (question: string, text: Text): Failure => ({
  message: text,
  errors: [{ question, code: "required", message_vi: text.vi, message_en: text.en }],
});

function Bilingual({ text }: { text: Text }) {
  return (
    <>
      <span lang="vi">{text.vi}</span> / <span lang="en">{text.en}</span>
    </>
  );
}

export function ParAgenciesTab({ lang }: TabProps) {
  const [data, reload] = useAsync(async () => {
    const [list, { users }] = await Promise.all([members(), api.users()]);
    return { ...list, users: users.filter((u) => u.role === "analyst" && !u.disabled) };
  });
  const [message, setMessage] = useState<{ kind: "ok"; text: string } | { kind: "error"; failure: Failure } | null>(null);
  const [username, setUsername] = useState("");
  const [chosen, setChosen] = useState<string[]>([]);
  const [dialog, ask] = useConfirm(lang);
  const form = useRef<HTMLFormElement>(null);

  return (
    <Show value={data} lang={lang}>
      {({ members: list, agencies, users }) => {
        const label = (code: string) => {
          const a = agencies.find((g) => g.code === code);
          return a ? tr(a.label, lang) : code;
        };
        const failure = message?.kind === "error" ? message.failure : null;
        const fieldErrors = (prefix: string) => failure?.errors.filter((e) => e.question === prefix || e.question.startsWith(`${prefix}.`));
        const save = async (e: Event) => {
          e.preventDefault();
          const name = username.trim();
          if (!name) return setMessage({ kind: "error", failure: local("username", AP.needUser) });
          if (chosen.length === 0) return setMessage({ kind: "error", failure: local("agencies", AP.needAgency) });
          try {
            const saved = await bind(name, chosen);
            setMessage({ kind: "ok", text: fill(tr(AP.saved, lang), { name: saved.username, agencies: saved.agencies.map(label).join(", ") }) });
            setUsername("");
            setChosen([]);
            reload();
          } catch (error) {
            setMessage({ kind: "error", failure: failureOf(error) });
          }
        };
        const remove = (m: Member) =>
          ask(
            fill(tr(AP.removeConfirm, lang), { name: m.username }),
            tr(AP.remove, lang),
            () =>
              void bind(m.username, []).then(
                () => {
                  setMessage({ kind: "ok", text: fill(tr(AP.removed, lang), { name: m.username }) });
                  reload();
                },
                (error: unknown) => setMessage({ kind: "error", failure: failureOf(error) }),
              ),
            true,
          );
        return (
          <>
            <p class="intro">{tr(AP.intro, lang)}</p>
            {message?.kind === "ok" && <Notice kind="ok">{message.text}</Notice>}
            {failure && (
              <Notice kind="error">
                <p>
                  <Bilingual text={failure.message} />
                </p>
                {failure.errors.length > 0 && (
                  <ul class="par-errors">
                    {failure.errors.map((e) => (
                      <li key={e.question}>
                        <code>{e.question}</code>: <Bilingual text={{ vi: e.message_vi, en: e.message_en }} />
                      </li>
                    ))}
                  </ul>
                )}
              </Notice>
            )}
            {dialog}
            <section>
              <h3>{tr(AP.listTitle, lang)}</h3>
              {list.length === 0 ? (
                <p class="muted">{tr(AP.none, lang)}</p>
              ) : (
                <TableWrap label={tr(AP.listTitle, lang)}>
                  <table class="par-members">
                    <thead>
                      <tr>
                        <th>{tr(AP.account, lang)}</th>
                        <th>{tr(AP.agencies, lang)}</th>
                        <th>{tr(AP.actions, lang)}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {list.map((m) => (
                        <tr key={m.username} data-username={m.username}>
                          <td>
                            <strong>{m.username}</strong>
                            <br />
                            <span class="muted">{m.displayName}</span>
                          </td>
                          <td>{m.agencies.map(label).join(", ")}</td>
                          <td class="actions">
                            <button
                              type="button"
                              class="btn secondary small"
                              onClick={() => {
                                setUsername(m.username);
                                setChosen(m.agencies);
                                setMessage(null);
                                form.current?.scrollIntoView();
                              }}
                            >
                              {tr(AP.edit, lang)}
                            </button>{" "}
                            <button type="button" class="btn danger small" onClick={() => remove(m)}>
                              {tr(AP.remove, lang)}
                            </button>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </TableWrap>
              )}
            </section>
            <form ref={form} class="panel" onSubmit={save} noValidate>
              <h3>{tr(AP.formTitle, lang)}</h3>
              <Field id="par-username" label={tr(AP.username, lang)} hint={tr(AP.usernameHint, lang)} errors={fieldErrors("username")} lang={lang}>
                {(aria) => (
                  <>
                    <input
                      name="username"
                      list="par-usernames"
                      autocomplete="off"
                      value={username}
                      onInput={(e) => setUsername((e.currentTarget as HTMLInputElement).value)}
                      {...aria}
                    />
                    <datalist id="par-usernames">
                      {users.map((u) => (
                        <option key={u.id} value={u.username}>
                          {u.displayName}
                        </option>
                      ))}
                    </datalist>
                  </>
                )}
              </Field>
              <FieldGroup id="par-agencies" legend={tr(AP.pickAgencies, lang)} errors={fieldErrors("agencies")} lang={lang}>
                {agencies.map((a) => (
                  <Check
                    key={a.code}
                    name="agency"
                    value={a.code}
                    checked={chosen.includes(a.code)}
                    label={tr(a.label, lang)}
                    onChange={(on) => setChosen((c) => (on ? [...c, a.code] : c.filter((x) => x !== a.code)))}
                  />
                ))}
              </FieldGroup>
              <button type="submit" class="btn">
                {tr(AP.save, lang)}
              </button>
            </form>
          </>
        );
      }}
    </Show>
  );
}
