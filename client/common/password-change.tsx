/**
 * Changing one's own password: the current one, the new one (judged by the password policy while
 * typing) and its confirmation. Shown on its own right after sign-in when the password must change
 * (generated at first start, or reset by an administrator), and in the administration screens.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { FieldError } from "../../shared/errors.js";
import type { PasswordVerdict } from "../../shared/accounts/password-policy.js";
import { requestJson, HttpError } from "./net.js";
import { problemText, tr, type Lang, type Text } from "./i18n.js";
import type { SignedInUser } from "./sign-in.js";
import type { AccountReply, ChangePassword } from "../../shared/api/accounts.js";

const T = {
  title: { vi: "Đổi mật khẩu", en: "Change your password" },
  required: {
    vi: "Mật khẩu này do hệ thống tạo hoặc do quản trị viên đặt lại. Hãy đặt mật khẩu của riêng bạn trước khi tiếp tục.",
    en: "This password was generated or reset by an administrator. Choose your own before continuing.",
  },
  current: { vi: "Mật khẩu hiện tại", en: "Current password" },
  next: { vi: "Mật khẩu mới", en: "New password" },
  nextHint: {
    vi: "Ít nhất 12 ký tự, khó đoán: vài từ không liên quan, hoặc một chuỗi ngẫu nhiên. Không dùng tên đăng nhập.",
    en: "At least 12 characters and hard to guess: several unrelated words, or a random string. Not your username.",
  },
  strong: { vi: "Mật khẩu đủ mạnh.", en: "The password is strong enough." },
  confirm: { vi: "Nhập lại mật khẩu mới", en: "New password again" },
  mismatch: { vi: "Hai mật khẩu mới không khớp.", en: "The two new passwords differ." },
  submit: { vi: "Đổi mật khẩu", en: "Change password" },
  done: { vi: "Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc.", en: "Password changed. Your other sessions have ended." },
  offline: { vi: "Không kết nối được máy chủ. Vui lòng thử lại.", en: "The server cannot be reached. Please try again." },
} satisfies Record<string, Text>;

type Field = "currentPassword" | "password" | "confirm";

/** The policy's verdict on a password being typed; the estimator's dictionaries load only when this form is used. */
export function usePasswordVerdict(password: string, userInputs: string[]): PasswordVerdict | null {
  const [verdict, setVerdict] = useState<PasswordVerdict | null>(null);
  const inputs = userInputs.join("\n");
  useEffect(() => {
    if (!password) return setVerdict(null);
    let current = true;
    void import("../../shared/accounts/password-policy.js").then((policy) => {
      if (current) setVerdict(policy.judgePassword(password, inputs.split("\n")));
    });
    return () => {
      current = false;
    };
  }, [password, inputs]);
  return verdict;
}

export function PasswordChangeForm({
  lang,
  user,
  required,
  onChanged,
}: {
  lang: Lang;
  user: SignedInUser;
  required: boolean;
  onChanged(user: SignedInUser): void;
}) {
  const form = useRef<HTMLFormElement>(null);
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const verdict = usePasswordVerdict(next, [user.username, user.displayName]);

  const focusFirstError = () => setTimeout(() => form.current?.querySelector<HTMLInputElement>("[aria-invalid='true']")?.focus(), 0);

  const submit = async (e: Event) => {
    e.preventDefault();
    setMessage(null);
    if (next !== confirm) {
      setErrors({ confirm: tr(T.mismatch, lang) });
      return focusFirstError();
    }
    setBusy(true);
    try {
      const res = await requestJson<AccountReply>("/api/auth/password", { json: { currentPassword: current, password: next } satisfies ChangePassword });
      setErrors({});
      setCurrent("");
      setNext("");
      setConfirm("");
      setMessage({ kind: "ok", text: tr(T.done, lang) });
      onChanged(res.user);
    } catch (err) {
      if (!(err instanceof HttpError)) {
        setMessage({ kind: "error", text: tr(T.offline, lang) });
        return;
      }
      const found: Partial<Record<Field, string>> = {};
      for (const f of (err.body?.error?.errors ?? []) as FieldError[]) {
        if (f.question === "currentPassword" || f.question === "password") found[f.question] = lang === "vi" ? f.message_vi : f.message_en;
      }
      setErrors(found);
      if (Object.keys(found).length === 0) setMessage({ kind: "error", text: problemText(err.body?.error, lang) });
      focusFirstError();
    } finally {
      setBusy(false);
    }
  };

  const input = (id: string, field: Field, label: string, value: string, set: (v: string) => void, autoComplete: string, hint?: string) => {
    const error = errors[field];
    const describedBy = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
    return (
      <>
        <label for={id}>{label}</label>
        {hint && (
          <p id={`${id}-hint`} class="hint" aria-live="polite">
            {hint}
          </p>
        )}
        {error && (
          <p id={`${id}-error`} class="field-error">
            {error}
          </p>
        )}
        <input
          id={id}
          name={field}
          type="password"
          autoComplete={autoComplete}
          required
          aria-invalid={error ? "true" : undefined}
          aria-describedby={describedBy}
          value={value}
          onInput={(e) => {
            set((e.currentTarget as HTMLInputElement).value);
            // The server's refusal was about the old value; the live verdict takes over.
            if (error) setErrors((all) => ({ ...all, [field]: undefined }));
          }}
        />
      </>
    );
  };

  const nextHint = verdict && !errors.password ? (verdict.ok ? tr(T.strong, lang) : verdict.text[lang]) : tr(T.nextHint, lang);
  const body = (
    <form ref={form} class="password-change" onSubmit={submit} noValidate aria-labelledby="password-change-title">
      {/* A hidden username lets password managers file the new password under the right account. */}
      <input type="text" name="username" autoComplete="username" value={user.username} hidden readOnly />
      {input("password-current", "currentPassword", tr(T.current, lang), current, setCurrent, "current-password")}
      {input("password-new", "password", tr(T.next, lang), next, setNext, "new-password", nextHint)}
      {input("password-confirm", "confirm", tr(T.confirm, lang), confirm, setConfirm, "new-password")}
      {message && (
        <p class={`notice ${message.kind}`} role={message.kind === "error" ? "alert" : "status"}>
          {message.text}
        </p>
      )}
      <button type="submit" class="btn" disabled={busy}>
        {tr(T.submit, lang)}
      </button>
    </form>
  );
  if (!required) {
    return (
      <section class="card">
        <h3 id="password-change-title">{tr(T.title, lang)}</h3>
        {body}
      </section>
    );
  }
  return (
    <main class="sign-in">
      <h1 id="password-change-title">{tr(T.title, lang)}</h1>
      <p>{tr(T.required, lang)}</p>
      {body}
    </main>
  );
}
