/**
 * Administration: every analyst's read-only API tokens (docs/api.md) with their expiry and state,
 * and revoking one. Analysts make their own on the dashboard; administrators cannot make any.
 */
import { useState } from "preact/hooks";
import { fill, tr, type Lang } from "../common/i18n.js";
import { requestJson } from "../common/net.js";
import { HeaderRow, Notice } from "../common/ui.js";
import type { ApiToken, ApiTokenList } from "../../shared/api/api-tokens.js";
import { Show, TableWrap, dateTime, messageOf, useAsync, useConfirm } from "./common.js";

const T = {
  title: { vi: "Mã API chỉ đọc của cán bộ phân tích", en: "Analysts' read-only API tokens" },
  none: { vi: "Chưa có mã API nào.", en: "No API token has been made." },
  label: { vi: "Dùng cho", en: "Used for" },
  owner: { vi: "Tài khoản", en: "Account" },
  expires: { vi: "Hết hạn", en: "Expires" },
  lastUsed: { vi: "Dùng lần cuối", en: "Last used" },
  status: { vi: "Trạng thái", en: "Status" },
  actions: { vi: "Thao tác", en: "Actions" },
  active: { vi: "Đang dùng được", en: "Active" },
  expired: { vi: "Đã hết hạn", en: "Expired" },
  revokedBy: { vi: "Đã thu hồi ({by})", en: "Revoked ({by})" },
  revoke: { vi: "Thu hồi", en: "Revoke" },
  confirm: {
    vi: "Thu hồi mã API “{label}” của {user}? Các bảng tính và tập lệnh dùng mã này sẽ ngừng lấy được dữ liệu.",
    en: "Revoke the API token “{label}” of {user}? Spreadsheets and scripts using it stop getting data.",
  },
  done: { vi: "Đã thu hồi mã API “{label}”.", en: "The API token “{label}” was revoked." },
};

export function ApiTokenAdmin({ lang }: { lang: Lang }) {
  const [data, reload] = useAsync(() => requestJson<ApiTokenList>("/api/api-tokens"));
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const [dialog, ask] = useConfirm(lang);
  const revoke = (t: ApiToken) =>
    ask(
      fill(tr(T.confirm, lang), { label: t.label, user: t.username }),
      tr(T.revoke, lang),
      () =>
        void requestJson(`/api/api-tokens/${encodeURIComponent(t.id)}`, { method: "DELETE" }).then(
          () => {
            setMessage({ kind: "ok", text: fill(tr(T.done, lang), { label: t.label }) });
            reload();
          },
          (e: unknown) => setMessage({ kind: "error", text: messageOf(e, lang) }),
        ),
      true,
    );
  return (
    <section aria-labelledby="api-tokens-title">
      <h3 id="api-tokens-title">{tr(T.title, lang)}</h3>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {dialog}
      <Show value={data} lang={lang}>
        {({ tokens }) =>
          tokens.length === 0 ? (
            <p>{tr(T.none, lang)}</p>
          ) : (
            <TableWrap label={tr(T.title, lang)}>
              <table class="table api-tokens">
                <HeaderRow
                  labels={[tr(T.label, lang), tr(T.owner, lang), tr(T.expires, lang), tr(T.lastUsed, lang), tr(T.status, lang), tr(T.actions, lang)]}
                />
                <tbody>
                  {tokens.map((t) => (
                    <tr key={t.id} class={t.active ? undefined : "inactive"}>
                      <td>{t.label}</td>
                      <td>{t.username}</td>
                      <td>{dateTime(t.expiresAt, lang)}</td>
                      <td>{t.lastUsedAt ? dateTime(t.lastUsedAt, lang) : "–"}</td>
                      <td>
                        {t.revokedAt ? (
                          fill(tr(T.revokedBy, lang), { by: t.revokedBy ?? "" })
                        ) : t.active ? (
                          <span class="badge open">{tr(T.active, lang)}</span>
                        ) : (
                          tr(T.expired, lang)
                        )}
                      </td>
                      <td>
                        <div class="row-actions">
                          {t.active && (
                            <button
                              type="button"
                              class="btn danger small"
                              aria-label={`${tr(T.revoke, lang)}: ${t.label} (${t.username})`}
                              onClick={() => revoke(t)}
                            >
                              {tr(T.revoke, lang)}
                            </button>
                          )}
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )
        }
      </Show>
    </section>
  );
}
