/**
 * The accounts tab: users with their role, area and rounds, disabling and enabling, resetting a
 * password, creating an account; enumerator devices and revoking them; changing one's own password.
 */
import { useState } from "preact/hooks";
import type { FieldError } from "../../shared/errors.js";
import { fill, tr, type Lang } from "../common/i18n.js";
import { HeaderRow, Notice } from "../common/ui.js";
import type { SignedInUser } from "../common/sign-in.js";
import { PasswordChangeForm, usePasswordVerdict } from "../common/password-change.js";
import { api, currentRegistry, type Account, type Device, type Registry, type RoundSummary } from "./api.js";
import {
  Check,
  Field,
  FieldGroup,
  FormFailure,
  Show,
  TableWrap,
  UnitChooser,
  dateTime,
  messageOf,
  useAsync,
  useConfirm,
  useSubmission,
  useUnitNames,
  type ChosenUnit,
} from "./common.js";
import { A } from "./strings.js";
import type { TabProps } from "./app.js";
import { ApiTokenAdmin } from "./api-tokens.js";

const ROLES = ["enumerator", "analyst", "admin"] as const;

type Message = { kind: "ok" | "error"; text: string } | null;

export function AccountsTab({ lang, user }: TabProps) {
  const [data, reload] = useAsync(async () => {
    const [{ users }, { rounds }, { registries }, { devices }] = await Promise.all([api.users(), api.rounds(), api.registries(), api.devices()]);
    return { users, rounds, registries, devices };
  });
  const [message, setMessage] = useState<Message>(null);
  const [formOpen, setFormOpen] = useState(false);
  const [resetting, setResetting] = useState<Account | null>(null);
  const [dialog, ask] = useConfirm(lang);
  const fail = (e: unknown) => setMessage({ kind: "error", text: messageOf(e, lang) });

  const setDisabled = (account: Account, disabled: boolean) => {
    const run = () =>
      api.setUserDisabled(account.id, disabled).then(() => {
        setMessage({ kind: "ok", text: fill(tr(disabled ? A.userDisabled : A.userEnabled, lang), { name: account.username }) });
        reload();
      }, fail);
    if (disabled) ask(fill(tr(A.disableConfirm, lang), { name: account.username }), tr(A.disable, lang), run, true);
    else void run();
  };
  const revoke = (device: Device) =>
    ask(
      fill(tr(A.revokeConfirm, lang), { label: device.label, user: device.username }),
      tr(A.revoke, lang),
      () =>
        void api.revokeDevice(device.id).then(() => {
          setMessage({ kind: "ok", text: fill(tr(A.revoked, lang), { label: device.label }) });
          reload();
        }, fail),
      true,
    );

  return (
    <Show value={data} lang={lang}>
      {({ users, rounds, registries, devices }) => (
        <>
          {message && <Notice kind={message.kind}>{message.text}</Notice>}
          <UserTable users={users} rounds={rounds} me={user} lang={lang} onDisable={setDisabled} onReset={setResetting} />
          {dialog}
          {resetting && (
            <ResetPasswordForm
              key={resetting.id}
              account={resetting}
              lang={lang}
              onCancel={() => setResetting(null)}
              onDone={() => {
                setMessage({ kind: "ok", text: fill(tr(A.passwordReset, lang), { name: resetting.username }) });
                setResetting(null);
                reload();
              }}
            />
          )}
          <div class="section-head">
            <h3 id="new-user-title">{tr(A.newUser, lang)}</h3>
            <button
              type="button"
              class="btn secondary small"
              aria-expanded={formOpen}
              aria-controls={formOpen ? "new-user" : undefined}
              onClick={() => setFormOpen(!formOpen)}
            >
              {tr(formOpen ? A.hideForm : A.newUser, lang)}
            </button>
          </div>
          {formOpen && (
            <UserForm
              lang={lang}
              rounds={rounds}
              registries={registries}
              onCreated={(account) => {
                setFormOpen(false);
                setMessage({ kind: "ok", text: fill(tr(A.userCreated, lang), { name: account.username }) });
                reload();
              }}
            />
          )}
          <h3>{tr(A.devicesTitle, lang)}</h3>
          <DeviceTable devices={devices} lang={lang} onRevoke={revoke} />
          <ApiTokenAdmin lang={lang} />
          <PasswordChangeForm lang={lang} user={user} required={false} onChanged={() => undefined} />
        </>
      )}
    </Show>
  );
}

function UserTable(props: {
  users: Account[];
  rounds: RoundSummary[];
  me: SignedInUser;
  lang: Lang;
  onDisable(account: Account, disabled: boolean): void;
  onReset(account: Account): void;
}) {
  const { users, rounds, me, lang, onDisable, onReset } = props;
  const unitName = useUnitNames(users.flatMap((u) => u.unitScope));
  const roundTitle = (id: string) => {
    const round = rounds.find((r) => r.id === id);
    return round ? tr(round.title, lang) : id;
  };
  return (
    <TableWrap label={tr(A.accountsTitle, lang)}>
      <table class="table users">
        <HeaderRow labels={[tr(A.username, lang), tr(A.role, lang), tr(A.area, lang), tr(A.rounds, lang), tr(A.status, lang), tr(A.actions, lang)]} />
        <tbody>
          {users.map((u) => (
            <tr key={u.id} data-user={u.username} class={u.disabled ? "inactive" : undefined}>
              <td>
                <strong>{u.username}</strong> {u.id === me.id && <span class="muted">{tr(A.you, lang)}</span>}
                <span class="detail">{u.displayName}</span>
              </td>
              <td>{A.roles[u.role] ? tr(A.roles[u.role]!, lang) : u.role}</td>
              <td>{u.unitScope.length ? u.unitScope.map(unitName).join("; ") : tr(A.allUnits, lang)}</td>
              <td>{u.rounds.length ? u.rounds.map(roundTitle).join("; ") : tr(A.allRounds, lang)}</td>
              <td>
                <span class={`badge ${u.disabled ? "closed" : "open"}`}>{tr(u.disabled ? A.disabled : A.active, lang)}</span>
                {u.mustChangePassword && <span class="detail">{tr(A.mustChange, lang)}</span>}
              </td>
              <td>
                <div class="row-actions">
                  {/* One's own password is changed below, with the current one. */}
                  {u.id !== me.id && !u.disabled && (
                    <button type="button" class="btn secondary small" aria-label={`${tr(A.resetPassword, lang)}: ${u.username}`} onClick={() => onReset(u)}>
                      {tr(A.resetPassword, lang)}
                    </button>
                  )}
                  {/* The server refuses disabling one's own account; no button invites the attempt. */}
                  {u.id !== me.id &&
                    (u.disabled ? (
                      <button type="button" class="btn secondary small" aria-label={`${tr(A.enable, lang)}: ${u.username}`} onClick={() => onDisable(u, false)}>
                        {tr(A.enable, lang)}
                      </button>
                    ) : (
                      <button type="button" class="btn danger small" aria-label={`${tr(A.disable, lang)}: ${u.username}`} onClick={() => onDisable(u, true)}>
                        {tr(A.disable, lang)}
                      </button>
                    ))}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function fieldOf(path: string): string | null {
  const head = path.split(".")[0] ?? "";
  return ["username", "displayName", "role", "password", "unitScope", "rounds"].includes(head) ? head : null;
}

function UserForm({ lang, rounds, registries, onCreated }: { lang: Lang; rounds: RoundSummary[]; registries: Registry[]; onCreated(account: Account): void }) {
  const [username, setUsername] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [role, setRole] = useState<Account["role"]>("enumerator");
  const [password, setPassword] = useState("");
  const [scope, setScope] = useState<ChosenUnit[]>([]);
  const [chosenRounds, setChosenRounds] = useState<string[]>([]);
  const { form, busy, failure, submit, byField, other } = useSubmission(lang, fieldOf);
  const verdict = usePasswordVerdict(password, [username, displayName]);

  const send = async () => {
    const res = await api.createUser({
      username: username.trim(),
      displayName: displayName.trim(),
      role,
      password,
      unitScope: scope.map((u) => u.key),
      rounds: chosenRounds,
    });
    onCreated(res.user);
  };

  return (
    <form ref={form} id="new-user" class="card form-grid" aria-labelledby="new-user-title" onSubmit={submit(send)} noValidate>
      <FormFailure failure={failure} other={other} lang={lang} />
      <Field id="user-username" label={tr(A.username, lang)} hint={tr(A.usernameHint, lang)} errors={byField.username} lang={lang}>
        {(aria) => (
          <input
            {...aria}
            class="input"
            name="username"
            autoComplete="off"
            autoCapitalize="none"
            spellcheck={false}
            required
            value={username}
            onInput={(e) => setUsername((e.currentTarget as HTMLInputElement).value)}
          />
        )}
      </Field>
      <Field id="user-display-name" label={tr(A.displayName, lang)} errors={byField.displayName} lang={lang}>
        {(aria) => (
          <input
            {...aria}
            class="input"
            name="displayName"
            autoComplete="off"
            required
            value={displayName}
            onInput={(e) => setDisplayName((e.currentTarget as HTMLInputElement).value)}
          />
        )}
      </Field>
      <Field id="user-role" label={tr(A.role, lang)} errors={byField.role} lang={lang}>
        {(aria) => (
          <select {...aria} class="input" name="role" value={role} onChange={(e) => setRole((e.currentTarget as HTMLSelectElement).value as Account["role"])}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {tr(A.roles[r]!, lang)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <NewPasswordField
        id="user-password"
        label={tr(A.password, lang)}
        value={password}
        onInput={setPassword}
        verdict={verdict}
        errors={byField.password}
        lang={lang}
      />
      <div class="wide">
        <UnitChooser
          id="user-scope"
          label={tr(A.userScope, lang)}
          hint={`${tr(A.userScopeHint, lang)} ${tr(A.unitSearchHint, lang)}`}
          registry={currentRegistry(registries)}
          value={scope}
          errors={byField.unitScope}
          lang={lang}
          onChange={setScope}
        />
      </div>
      <div class="wide">
        <FieldGroup
          id="user-rounds"
          legend={`${tr(A.rounds, lang)} (${tr(A.optional, lang)})`}
          hint={tr(A.userRoundsHint, lang)}
          errors={byField.rounds}
          lang={lang}
        >
          {rounds.map((r) => (
            <Check
              key={r.id}
              name="rounds"
              value={r.id}
              checked={chosenRounds.includes(r.id)}
              label={tr(r.title, lang)}
              onChange={(on) => setChosenRounds(on ? [...chosenRounds, r.id] : chosenRounds.filter((x) => x !== r.id))}
            />
          ))}
        </FieldGroup>
      </div>
      <div class="wide actions">
        <button type="submit" class="btn" disabled={busy}>
          {tr(A.newUser, lang)}
        </button>
      </div>
    </form>
  );
}

/** The policy's verdict while a password is typed (null before typing): why it is refused, or that it will do. */
function verdictText(verdict: ReturnType<typeof usePasswordVerdict>, lang: Lang): string | null {
  if (!verdict) return null;
  return verdict.ok ? tr(A.passwordOk, lang) : verdict.text[lang];
}

/** A new password, with the policy's verdict as its hint while it is typed. */
function NewPasswordField(props: {
  id: string;
  label: string;
  value: string;
  onInput(value: string): void;
  verdict: ReturnType<typeof usePasswordVerdict>;
  errors: FieldError[] | undefined;
  lang: Lang;
}) {
  const { lang } = props;
  return (
    <Field id={props.id} label={props.label} hint={verdictText(props.verdict, lang) ?? tr(A.passwordHint, lang)} errors={props.errors} lang={lang}>
      {(aria) => (
        <input
          {...aria}
          class="input"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={12}
          value={props.value}
          onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
        />
      )}
    </Field>
  );
}

function ResetPasswordForm({ account, lang, onCancel, onDone }: { account: Account; lang: Lang; onCancel(): void; onDone(): void }) {
  const [password, setPassword] = useState("");
  const verdict = usePasswordVerdict(password, [account.username, account.displayName]);
  const { form, busy, failure, submit, byField, other } = useSubmission(lang, (path) => (path === "password" ? path : null));
  const send = async () => {
    await api.resetPassword(account.id, password);
    onDone();
  };

  return (
    <form ref={form} id="reset-password" class="card form-grid" aria-labelledby="reset-password-title" onSubmit={submit(send)} noValidate>
      <h3 id="reset-password-title" class="wide">
        {fill(tr(A.resetTitle, lang), { name: account.username })}
      </h3>
      <p class="wide">{tr(A.resetHint, lang)}</p>
      <FormFailure failure={failure} other={other} lang={lang} />
      <NewPasswordField
        id="reset-password-input"
        label={tr(A.newPassword, lang)}
        value={password}
        onInput={setPassword}
        verdict={verdict}
        errors={byField.password}
        lang={lang}
      />
      <div class="wide actions">
        <button type="submit" class="btn" disabled={busy}>
          {tr(A.resetPassword, lang)}
        </button>
        <button type="button" class="btn secondary" onClick={onCancel}>
          {tr(A.cancel, lang)}
        </button>
      </div>
    </form>
  );
}

function DeviceTable({ devices, lang, onRevoke }: { devices: Device[]; lang: Lang; onRevoke(device: Device): void }) {
  if (devices.length === 0) return <p>{tr(A.noDevices, lang)}</p>;
  return (
    <TableWrap label={tr(A.devicesTitle, lang)}>
      <table class="table devices">
        <HeaderRow labels={[tr(A.device, lang), tr(A.owner, lang), tr(A.registered, lang), tr(A.status, lang), tr(A.actions, lang)]} />
        <tbody>
          {devices.map((d) => (
            <tr key={d.id} class={d.revoked_at ? "inactive" : undefined}>
              <td>{d.label}</td>
              <td>{d.username}</td>
              <td>{dateTime(d.created_at, lang)}</td>
              <td>{d.revoked_at ? fill(tr(A.revokedAt, lang), { at: dateTime(d.revoked_at, lang) }) : <span class="badge open">{tr(A.active, lang)}</span>}</td>
              <td>
                <div class="row-actions">
                  {!d.revoked_at && (
                    <button type="button" class="btn danger small" aria-label={`${tr(A.revoke, lang)}: ${d.label} (${d.username})`} onClick={() => onRevoke(d)}>
                      {tr(A.revoke, lang)}
                    </button>
                  )}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
