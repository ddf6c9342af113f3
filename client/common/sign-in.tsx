/**
 * Sign-in for the pages that need an account (dashboard, administration): the session is a cookie.
 * A password that must change (generated, or reset by an administrator) is changed before anything else.
 */
import { useEffect, useState } from "preact/hooks";
import type { ComponentChildren } from "preact";
import { requestJson, setCsrfToken, HttpError } from "./net.js";
import { problemText, tr, type Lang, type Text } from "./i18n.js";
import { PasswordChangeForm } from "./password-change.js";
import type { Account, Login, LoginReply, WhoAmI } from "../../shared/api/accounts.js";

/** The signed-in account as the server shows it (shared/api/accounts.ts). */
export type SignedInUser = Account;

const T = {
  title: { vi: "Đăng nhập", en: "Sign in" },
  username: { vi: "Tên đăng nhập", en: "Username" },
  password: { vi: "Mật khẩu", en: "Password" },
  submit: { vi: "Đăng nhập", en: "Sign in" },
  signOut: { vi: "Đăng xuất", en: "Sign out" },
  checking: { vi: "Đang kiểm tra phiên đăng nhập…", en: "Checking your session…" },
  wrongRole: { vi: "Tài khoản này không có quyền xem trang này.", en: "This account may not use this page." },
  offline: { vi: "Không kết nối được máy chủ. Vui lòng thử lại.", en: "The server cannot be reached. Please try again." },
} satisfies Record<string, Text>;

type State = { kind: "checking" } | { kind: "signed-out"; error: string | null } | { kind: "signed-in"; user: SignedInUser };

/** Shows `children` only to a signed-in user with one of `roles`; otherwise a sign-in form. */
export function RequireSignIn(props: {
  roles: ReadonlyArray<SignedInUser["role"]>;
  lang: Lang;
  children: (user: SignedInUser, signOut: () => void) => ComponentChildren;
}) {
  const { lang } = props;
  const [state, setState] = useState<State>({ kind: "checking" });

  const accept = (user: SignedInUser, csrf: string | null) => {
    if (!props.roles.includes(user.role)) return setState({ kind: "signed-out", error: tr(T.wrongRole, lang) });
    setCsrfToken(csrf);
    setState({ kind: "signed-in", user });
  };

  useEffect(() => {
    requestJson<WhoAmI>("/api/auth/me").then(
      (me) => (me.user ? accept(me.user, me.csrfToken) : setState({ kind: "signed-out", error: null })),
      () => setState({ kind: "signed-out", error: null }),
    );
  }, []);

  const signOut = () => {
    void requestJson("/api/auth/logout", { method: "POST" }).finally(() => {
      setCsrfToken(null);
      setState({ kind: "signed-out", error: null });
    });
  };

  if (state.kind === "checking") return <p role="status">{tr(T.checking, lang)}</p>;
  if (state.kind === "signed-in" && state.user.mustChangePassword) {
    return (
      <>
        <PasswordChangeForm lang={lang} user={state.user} required onChanged={(user) => setState({ kind: "signed-in", user })} />
        <p class="sign-in">
          <button type="button" class="btn secondary small" onClick={signOut}>
            {tr(T.signOut, lang)}
          </button>
        </p>
      </>
    );
  }
  if (state.kind === "signed-in") return <>{props.children(state.user, signOut)}</>;
  return <SignInForm lang={lang} error={state.error} onSignedIn={accept} />;
}

function SignInForm({ lang, error, onSignedIn }: { lang: Lang; error: string | null; onSignedIn(user: SignedInUser, csrf: string): void }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [message, setMessage] = useState<string | null>(error);
  // A refusal after signing in (wrong role) arrives as a new `error` for the same form.
  useEffect(() => setMessage(error), [error]);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const res = await requestJson<LoginReply>("/api/auth/login", { json: { username, password } satisfies Login });
      onSignedIn(res.user, res.csrfToken);
    } catch (err) {
      setMessage(err instanceof HttpError ? problemText(err.body?.error, lang) : tr(T.offline, lang));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <h1>{tr(T.title, lang)}</h1>
      <form onSubmit={submit}>
        <label for="sign-in-user">{tr(T.username, lang)}</label>
        <input
          id="sign-in-user"
          name="username"
          autocomplete="username"
          required
          value={username}
          onInput={(e) => setUsername((e.target as HTMLInputElement).value)}
        />
        <label for="sign-in-password">{tr(T.password, lang)}</label>
        <input
          id="sign-in-password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
        />
        {message && (
          <p class="notice error" role="alert">
            {message}
          </p>
        )}
        <button type="submit" class="btn" disabled={busy}>
          {tr(T.submit, lang)}
        </button>
      </form>
    </main>
  );
}

export function SignOutButton({ lang, user, onSignOut }: { lang: Lang; user: SignedInUser; onSignOut(): void }) {
  return (
    <span class="signed-in no-print">
      <span>{user.displayName}</span>
      <button type="button" class="btn secondary small" onClick={onSignOut}>
        {tr(T.signOut, lang)}
      </button>
    </span>
  );
}
