/** The questionnaires tab: import an XLSForm workbook (with its index tree) and download any edition as XLSForm. */
import { useRef, useState } from "preact/hooks";
import { fill, tr, type Lang } from "../common/i18n.js";
import { HeaderRow, Notice } from "../common/ui.js";
import { HttpError } from "../common/net.js";
import type { FieldError } from "../../shared/errors.js";
import { api, type InstrumentInfo } from "./api.js";
import { ErrorBox, Field, Show, TableWrap, chosenFile, errorText, fieldErrorsOf, useAsync } from "./common.js";
import { A } from "./strings.js";
import type { TabProps } from "./app.js";

export function XlsformTab({ lang }: TabProps) {
  const [instruments, reload] = useAsync(() => api.instruments().then((r) => r.instruments));
  return (
    <>
      <ImportForm lang={lang} onImported={reload} />
      <Show value={instruments} lang={lang}>
        {(list) => <Editions editions={list} lang={lang} />}
      </Show>
    </>
  );
}

type Outcome = { kind: "ok"; text: string; warn?: string } | { kind: "error"; error: unknown } | { kind: "missing" } | null;

function ImportForm({ lang, onImported }: { lang: Lang; onImported(): void }) {
  const file = useRef<HTMLInputElement>(null);
  const index = useRef<HTMLInputElement>(null);
  const [id, setId] = useState("");
  const [version, setVersion] = useState("");
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);

  const send = async (check: boolean) => {
    const workbook = chosenFile(file.current);
    if (!workbook) {
      setOutcome({ kind: "missing" });
      file.current?.focus();
      return;
    }
    setBusy(true);
    try {
      const res = await api.importXlsform(workbook, chosenFile(index.current), { id: id.trim(), version: version.trim(), check });
      const values = { id: res.id, version: res.version };
      const text = check ? A.xlsformChecked : res.outcome === "imported" ? A.xlsformImported : A.xlsformUnchanged;
      setOutcome({ kind: "ok", text: fill(tr(text, lang), values), ...(res.withIndex ? {} : { warn: tr(A.xlsformNoIndex, lang) }) });
      if (!check) onImported();
    } catch (error) {
      setOutcome({ kind: "error", error });
    } finally {
      setBusy(false);
    }
  };

  const fileErrors: FieldError[] | undefined =
    outcome?.kind === "missing" ? [{ question: "file", code: "required", message_vi: A.chooseWorkbook.vi, message_en: A.chooseWorkbook.en }] : undefined;
  return (
    <section aria-labelledby="xlsform-import-title">
      <h3 id="xlsform-import-title">{tr(A.xlsformImportTitle, lang)}</h3>
      <p>{tr(A.xlsformIntro, lang)}</p>
      <form
        class="card form-grid"
        id="xlsform-import"
        onSubmit={(e) => {
          e.preventDefault();
          void send(false);
        }}
      >
        <div class="wide">
          <Field id="xlsform-file" label={tr(A.xlsformFile, lang)} errors={fileErrors} lang={lang}>
            {(aria) => (
              <input
                {...aria}
                ref={file}
                class="input"
                type="file"
                name="file"
                accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              />
            )}
          </Field>
        </div>
        <div class="wide">
          <Field id="xlsform-index" label={tr(A.indexFile, lang)} hint={tr(A.indexFileHint, lang)} optional lang={lang}>
            {(aria) => <input {...aria} ref={index} class="input" type="file" name="index" accept=".json,application/json" />}
          </Field>
        </div>
        <Field id="xlsform-id" label={tr(A.editionIdOverride, lang)} hint={tr(A.editionIdHint, lang)} optional lang={lang}>
          {(aria) => (
            <input {...aria} class="input" name="id" autoComplete="off" value={id} onInput={(e) => setId((e.currentTarget as HTMLInputElement).value)} />
          )}
        </Field>
        <Field id="xlsform-version" label={tr(A.versionOverride, lang)} hint={tr(A.versionHint, lang)} optional lang={lang}>
          {(aria) => (
            <input
              {...aria}
              class="input"
              name="version"
              autoComplete="off"
              inputMode="decimal"
              value={version}
              onInput={(e) => setVersion((e.currentTarget as HTMLInputElement).value)}
            />
          )}
        </Field>
        <div class="wide actions">
          <button type="button" class="btn secondary" disabled={busy} onClick={() => void send(true)}>
            {tr(A.checkOnly, lang)}
          </button>
          <button type="submit" class="btn" disabled={busy}>
            {tr(A.importWorkbook, lang)}
          </button>
        </div>
      </form>
      {outcome?.kind === "ok" && (
        <Notice kind="ok">
          {outcome.text}
          {outcome.warn && <span class="detail">{outcome.warn}</span>}
        </Notice>
      )}
      {outcome?.kind === "error" && <WorkbookErrors error={outcome.error} lang={lang} />}
    </section>
  );
}

/** Where the server placed a problem: "survey!E12 (relevant)" → sheet, cell, column. */
function placeOf(question: string): { sheet: string; cell: string; column: string } {
  const m = /^([^!(]+?)(?:!([A-Z]+\d+))?(?: \((.*)\))?$/.exec(question);
  return m ? { sheet: m[1]!, cell: m[2] ?? "", column: m[3] ?? "" } : { sheet: question, cell: "", column: "" };
}

/**
 * Every problem of a refused workbook: where (sheet, cell, column) then why. A list rather than a
 * table, so that on a phone the reasons keep the full width instead of a squeezed column.
 */
function WorkbookErrors({ error, lang }: { error: unknown; lang: Lang }) {
  const errors = fieldErrorsOf(error);
  if (errors.length === 0 || !(error instanceof HttpError)) return <ErrorBox error={error} lang={lang} />;
  const total = (error.body?.error as { errorCount?: number } | undefined)?.errorCount ?? errors.length;
  return (
    <div class="notice error line-errors" role="alert" id="xlsform-errors">
      <p>
        <strong>{tr(A.xlsformRefused, lang)}</strong>
      </p>
      <ol>
        {errors.map((e, i) => {
          const at = placeOf(e.question);
          return (
            <li key={i} data-sheet={at.sheet} data-cell={at.cell} data-column={at.column}>
              <strong>
                {tr(A.sheet, lang)} {at.sheet}
                {at.cell && `, ${tr(A.cell, lang).toLowerCase()} ${at.cell}`}
              </strong>
              {at.column && (
                <>
                  {" "}
                  (<code>{at.column}</code>)
                </>
              )}
              : {errorText(e, lang)}
            </li>
          );
        })}
      </ol>
      {total > errors.length && <p>{fill(tr(A.moreErrors, lang), { n: total - errors.length })}</p>}
    </div>
  );
}

function Editions({ editions, lang }: { editions: InstrumentInfo[]; lang: Lang }) {
  return (
    <section aria-labelledby="xlsform-editions-title">
      <h3 id="xlsform-editions-title">{tr(A.editionsTitle, lang)}</h3>
      {editions.length === 0 ? (
        <p>{tr(A.noEditions, lang)}</p>
      ) : (
        <TableWrap label={tr(A.editionsTitle, lang)}>
          <table class="table compact" id="xlsform-editions">
            <HeaderRow labels={[tr(A.questionnaire, lang), tr(A.actions, lang)]} />
            <tbody>
              {editions.map((e) => (
                <tr key={e.id} data-edition={e.id}>
                  <td>
                    {tr(e.title, lang)}
                    <span class="detail">
                      {e.id} · {tr(A.version, lang)} {e.version}
                    </span>
                  </td>
                  <td>
                    <a
                      class="btn small secondary"
                      href={api.xlsformUrl(e.id, e.version)}
                      download
                      aria-label={fill(tr(A.downloadXlsformOf, lang), { title: tr(e.title, lang) })}
                    >
                      {tr(A.downloadXlsform, lang)}
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}
