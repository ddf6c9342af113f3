/**
 * The analyst's read-only API tokens, at the foot of the dashboard: make one (shown once, to copy
 * into R, Excel Power Query or Power BI), see which exist and until when, revoke one. The rules
 * are the server's (docs/api.md); this only shows them.
 */
import { useEffect, useState } from "preact/hooks";
import { HttpError, requestJson } from "../common/net.js";
import { problemText, tr, type Lang } from "../common/i18n.js";
import type { ApiToken, ApiTokenList, CreatedApiToken, NewApiToken } from "../../shared/api/api-tokens.js";

const T = {
  title: { vi: "Mã API cho R, Excel, Power BI", en: "API tokens for R, Excel, Power BI" },
  intro: {
    vi: "Mã API chỉ đọc kết quả và tệp xuất, trong phạm vi tài khoản này. Gửi trong tiêu đề Authorization: Bearer … (xem docs/api.md).",
    en: "An API token only reads results and exports, within this account's scope. Send it as Authorization: Bearer … (see docs/api.md).",
  },
  label: { vi: "Dùng cho", en: "Used for" },
  days: { vi: "Hiệu lực", en: "Valid for" },
  create: { vi: "Tạo mã", en: "Create token" },
  created: { vi: "Mã mới — sao chép ngay, mã chỉ hiện một lần:", en: "New token — copy it now, it is shown only once:" },
  none: { vi: "Chưa có mã nào.", en: "No tokens yet." },
  expires: { vi: "hết hạn", en: "expires" },
  revoked: { vi: "đã thu hồi", en: "revoked" },
  expired: { vi: "đã hết hạn", en: "expired" },
  revoke: { vi: "Thu hồi", en: "Revoke" },
  dayOptions: { vi: "ngày", en: "days" },
};

const DAYS = [30, 90, 180, 365];

function when(iso: string, lang: Lang): string {
  return new Date(iso).toLocaleDateString(lang === "vi" ? "vi-VN" : "en-GB", { timeZone: "Asia/Ho_Chi_Minh" });
}

export function ApiTokensPanel({ lang }: { lang: Lang }) {
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [label, setLabel] = useState("");
  const [days, setDays] = useState(90);
  const [fresh, setFresh] = useState<string | null>(null);

  const fail = (e: unknown) => setError(e instanceof HttpError ? problemText(e.body?.error, lang) : String(e));
  const load = () =>
    requestJson<ApiTokenList>("/api/api-tokens")
      .then((body) => setTokens(body.tokens))
      .catch(fail);
  useEffect(() => {
    void load();
  }, []);

  const create = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      const body: NewApiToken = { label, expiresInDays: days };
      const made = await requestJson<CreatedApiToken>("/api/api-tokens", { json: body });
      setFresh(made.token);
      setLabel("");
      await load();
    } catch (e) {
      fail(e);
    }
  };
  const revoke = async (id: string) => {
    setError(null);
    try {
      await requestJson(`/api/api-tokens/${encodeURIComponent(id)}`, { method: "DELETE" });
      await load();
    } catch (e) {
      fail(e);
    }
  };

  return (
    <div class="content no-print">
      <details class="card api-tokens">
        <summary>
          <strong>{tr(T.title, lang)}</strong>
        </summary>
        <p>{tr(T.intro, lang)}</p>
        {/* The dashboard's field style; the row itself is laid out here (a style prop is CSSOM, allowed by the policy). */}
        <form onSubmit={create} style={{ display: "flex", flexWrap: "wrap", gap: "0.75rem", alignItems: "flex-end" }}>
          <label class="field" style={{ flex: "1 1 14rem" }}>
            <span>{tr(T.label, lang)}</span>
            <input name="label" required maxLength={100} value={label} onInput={(e) => setLabel((e.target as HTMLInputElement).value)} />
          </label>
          <label class="field">
            <span>{tr(T.days, lang)}</span>
            <select name="expiresInDays" value={String(days)} onChange={(e) => setDays(Number((e.target as HTMLSelectElement).value))}>
              {DAYS.map((d) => (
                <option value={String(d)}>{`${d} ${tr(T.dayOptions, lang)}`}</option>
              ))}
            </select>
          </label>
          <button type="submit" class="btn small">
            {tr(T.create, lang)}
          </button>
        </form>
        {fresh && (
          <p class="notice info" role="status">
            {tr(T.created, lang)}{" "}
            <input
              class="api-token-value"
              readOnly
              value={fresh}
              style={{ width: "100%", fontFamily: "monospace" }}
              aria-label={tr(T.created, lang)}
              onFocus={(e) => (e.target as HTMLInputElement).select()}
            />
          </p>
        )}
        {error && (
          <p class="notice error" role="alert">
            {error}
          </p>
        )}
        {tokens && tokens.length === 0 && <p>{tr(T.none, lang)}</p>}
        {tokens && tokens.length > 0 && (
          <ul class="api-token-list">
            {tokens.map((t) => (
              <li key={t.id}>
                <span>{t.label}</span>{" "}
                <small>{t.revokedAt ? tr(T.revoked, lang) : t.active ? `${tr(T.expires, lang)} ${when(t.expiresAt, lang)}` : tr(T.expired, lang)}</small>{" "}
                {t.active && (
                  <button type="button" class="btn secondary small" onClick={() => void revoke(t.id)}>
                    {tr(T.revoke, lang)}
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </details>
    </div>
  );
}
