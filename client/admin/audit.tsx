/** The audit-log tab: the latest administrative actions, newest first, a page at a time. */
import { useEffect, useState } from "preact/hooks";
import { tr, type Lang } from "../common/i18n.js";
import { HeaderRow, Notice } from "../common/ui.js";
import { AUDIT_PAGE, api, type AuditEntry } from "./api.js";
import { Loading, TableWrap, dateTime, messageOf } from "./common.js";
import { A } from "./strings.js";
import type { TabProps } from "./app.js";

/** "kind: village, added: 2" — the detail object as short text. */
function detailText(detail: unknown): string {
  if (detail === null || detail === undefined) return "";
  if (typeof detail !== "object") return String(detail);
  return Object.entries(detail as Record<string, unknown>)
    .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(", ");
}

function actionName(action: string, lang: Lang): string {
  const known = A.actionNames[action];
  return known ? tr(known, lang) : action;
}

export function AuditTab({ lang }: TabProps) {
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [state, setState] = useState<"loading" | "idle" | "end">("loading");
  const [error, setError] = useState<unknown>(null);

  const load = (before?: string) => {
    setState("loading");
    setError(null);
    api.audit(before).then(
      ({ entries: page }) => {
        setEntries((old) => (before ? [...old, ...page] : page));
        setState(page.length < AUDIT_PAGE ? "end" : "idle");
      },
      (e: unknown) => {
        setError(e);
        setState("idle");
      },
    );
  };
  useEffect(() => load(), []);

  return (
    <>
      <p>{tr(A.auditIntro, lang)}</p>
      {entries.length === 0 && state === "end" && <p>{tr(A.noEntries, lang)}</p>}
      {entries.length > 0 && (
        <TableWrap label={tr(A.auditTitle, lang)}>
          <table class="table compact" id="audit-log">
            <HeaderRow labels={[tr(A.when, lang), tr(A.actor, lang), tr(A.action, lang), tr(A.target, lang), tr(A.detail, lang)]} />
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-action={e.action}>
                  <td class="nowrap">
                    <time dateTime={e.at}>{dateTime(e.at, lang)}</time>
                  </td>
                  <td>{e.actor}</td>
                  <td>{actionName(e.action, lang)}</td>
                  <td>{e.target ?? ""}</td>
                  <td class="muted">{detailText(e.detail)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {error !== null && <Notice kind="error">{messageOf(error, lang)}</Notice>}
      {state === "loading" && <Loading lang={lang} />}
      {state === "idle" && (
        <button type="button" class="btn secondary" onClick={() => load(entries[entries.length - 1]?.at)}>
          {tr(A.loadMore, lang)}
        </button>
      )}
      {state === "end" && entries.length > 0 && <p class="muted">{tr(A.noMore, lang)}</p>}
    </>
  );
}
