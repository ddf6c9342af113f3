/** Pieces every administration tab uses: loading, errors by field or by CSV line, a confirmation dialog, unit search. */
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { FieldError } from "../../shared/errors.js";
import { HttpError } from "../common/net.js";
import { HeaderRow } from "../common/ui.js";
import { useAsync as useSharedAsync, type Async } from "../common/async.js";
import { fill, problemText, tr, type Lang } from "../common/i18n.js";
import { api, type UnitHit } from "./api.js";
import { A } from "./strings.js";

export type { Async } from "../common/async.js";

/** Runs a fetch whenever `key` changes or `reload()` is called, keeping the data shown meanwhile. */
export function useAsync<T>(fetcher: () => Promise<T>, key = ""): [Async<T>, () => void] {
  return useSharedAsync(fetcher, key, { keepWhileLoading: true });
}

/** The message of a failed request in the reader's language; a request that got no answer says so. */
export function messageOf(error: unknown, lang: Lang): string {
  return error instanceof HttpError ? problemText(error.body?.error ?? undefined, lang) : tr(A.offline, lang);
}

export function fieldErrorsOf(error: unknown): FieldError[] {
  return error instanceof HttpError ? (error.body?.error?.errors ?? []) : [];
}

export function errorText(e: FieldError, lang: Lang): string {
  return lang === "vi" ? e.message_vi : e.message_en;
}

/** Sorts a 422's field errors onto the form's fields; `fieldOf` maps a server path ("title.vi", "scope.0") to a field. */
export function errorsByField(errors: FieldError[], fieldOf: (path: string) => string | null): { byField: Record<string, FieldError[]>; other: FieldError[] } {
  const byField: Record<string, FieldError[]> = {};
  const other: FieldError[] = [];
  for (const e of errors) {
    const field = fieldOf(e.question);
    if (field) (byField[field] ??= []).push(e);
    else other.push(e);
  }
  return { byField, other };
}

export function Loading({ lang }: { lang: Lang }) {
  return (
    <p class="loading" role="status">
      {tr(A.loading, lang)}
    </p>
  );
}

export function ErrorBox({ error, lang }: { error: unknown; lang: Lang }) {
  return (
    <div class="notice error" role="alert">
      {messageOf(error, lang)}
    </div>
  );
}

export function Show<T>({ value, lang, children }: { value: Async<T>; lang: Lang; children: (data: T) => ComponentChildren }) {
  if (value.state === "loading") return <Loading lang={lang} />;
  if (value.state === "error") return <ErrorBox error={value.error} lang={lang} />;
  return <>{children(value.data)}</>;
}

type Aria = { id: string; "aria-describedby"?: string; "aria-invalid"?: "true" };

function describe(id: string, hint: boolean, errors: FieldError[] | undefined): Aria {
  const ids = [hint ? `${id}-hint` : "", errors?.length ? `${id}-err` : ""].filter(Boolean).join(" ");
  return { id, ...(ids ? { "aria-describedby": ids } : {}), ...(errors?.length ? { "aria-invalid": "true" as const } : {}) };
}

function FieldMessages({ id, hint, errors, lang }: { id: string; hint: string | undefined; errors: FieldError[] | undefined; lang: Lang }) {
  return (
    <>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {errors && errors.length > 0 && (
        <p class="field-error" id={`${id}-err`}>
          {errors.map((e) => errorText(e, lang)).join(" ")}
        </p>
      )}
    </>
  );
}

/** A labelled control with its hint and the server's errors, wired for screen readers. */
export function Field(props: {
  id: string;
  label: string;
  hint?: string;
  optional?: boolean;
  errors?: FieldError[] | undefined;
  lang: Lang;
  children: (aria: Aria) => ComponentChildren;
}) {
  const { id, errors, lang } = props;
  return (
    <div class={`field-row${errors?.length ? " has-error" : ""}`}>
      <label for={id}>
        {props.label}
        {props.optional && <span class="optional"> ({tr(A.optional, lang)})</span>}
      </label>
      <FieldMessages id={id} hint={props.hint} errors={errors} lang={lang} />
      {props.children(describe(id, Boolean(props.hint), errors))}
    </div>
  );
}

/** Check boxes or radio buttons under one legend, with hint and errors. */
export function FieldGroup(props: { id: string; legend: string; hint?: string; errors?: FieldError[] | undefined; lang: Lang; children: ComponentChildren }) {
  const { id, errors, lang } = props;
  const aria = describe(id, Boolean(props.hint), errors);
  return (
    <fieldset class={`field-row group${errors?.length ? " has-error" : ""}`} id={id} aria-describedby={aria["aria-describedby"]} tabIndex={-1}>
      <legend>{props.legend}</legend>
      <FieldMessages id={id} hint={props.hint} errors={errors} lang={lang} />
      <div class="checks">{props.children}</div>
    </fieldset>
  );
}

export function Check(props: { type?: "checkbox" | "radio"; name: string; value: string; checked: boolean; label: string; onChange(checked: boolean): void }) {
  return (
    <label class="check">
      <input
        type={props.type ?? "checkbox"}
        name={props.name}
        value={props.value}
        checked={props.checked}
        onChange={(e) => props.onChange((e.currentTarget as HTMLInputElement).checked)}
      />
      <span>{props.label}</span>
    </label>
  );
}

/** Moves focus to the first field the server complained about, so keyboard users land on it. */
export function focusFirstError(form: HTMLFormElement | null): void {
  setTimeout(() => {
    const target = form?.querySelector<HTMLElement>(".has-error input, .has-error select, fieldset.has-error");
    target?.focus();
  }, 0);
}

/**
 * A form's sending state: busy while the request runs; a refusal with field errors puts each on its field
 * (`fieldOf` maps the server's path to a field), says "fix the marked fields" and moves focus there; any
 * other failure is one message. `submit(send)` is the form's onSubmit.
 */
export function useSubmission(lang: Lang, fieldOf: (path: string) => string | null) {
  const form = useRef<HTMLFormElement>(null);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = (send: () => Promise<void>) => async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      await send();
      setErrors([]);
    } catch (err) {
      const fields = fieldErrorsOf(err);
      setErrors(fields);
      setFailure(fields.length > 0 ? tr(A.fixFields, lang) : messageOf(err, lang));
      focusFirstError(form.current);
    } finally {
      setBusy(false);
    }
  };
  return { form, busy, failure, submit, ...errorsByField(errors, fieldOf) };
}

/** The alert above a refused form: the failure, and the field errors no field of the form shows. */
export function FormFailure({ failure, other, lang }: { failure: string | null; other: FieldError[]; lang: Lang }) {
  if (!failure) return null;
  return (
    <div class="notice error wide" role="alert">
      <p>{failure}</p>
      {other.length > 0 && (
        <ul>
          {other.map((x, i) => (
            <li key={i}>{errorText(x, lang)}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A table that scrolls sideways on narrow screens; the region is focusable so the keyboard can scroll it. */
export function TableWrap({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

/** "line 3.email" → line 3, column email (the server's way of pointing into a CSV file). */
function lineOf(path: string): { line: number | null; field: string } {
  const m = path.match(/^line (\d+)(?:\.(.*))?$/);
  return m ? { line: Number(m[1]), field: m[2] ?? "" } : { line: null, field: path };
}

/** The errors of a refused CSV file, one row per line and column. */
export function LineErrors({ error, lang, caption }: { error: unknown; lang: Lang; caption: string }) {
  const errors = fieldErrorsOf(error);
  const body = error instanceof HttpError ? error.body?.error : undefined;
  const total = (body?.detail as { errorCount?: number } | undefined)?.errorCount ?? errors.length;
  if (errors.length === 0) return <ErrorBox error={error} lang={lang} />;
  return (
    <div class="notice error line-errors" role="alert">
      <p>
        <strong>{caption}</strong>
      </p>
      <TableWrap label={caption}>
        <table class="table compact">
          <HeaderRow labels={[tr(A.line, lang), tr(A.column, lang), tr(A.problem, lang)]} />
          <tbody>
            {errors.map((e, i) => {
              const at = lineOf(e.question);
              return (
                <tr key={i}>
                  <td class="num">{at.line ?? "–"}</td>
                  <td>{at.field || tr(A.wholeRow, lang)}</td>
                  <td>{errorText(e, lang)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableWrap>
      {total > errors.length && <p>{fill(tr(A.moreErrors, lang), { n: total - errors.length })}</p>}
    </div>
  );
}

/** A file input's file, or null when none is chosen. Sent as bytes: decoding it here would garble a file not in UTF-8. */
export function chosenFile(input: HTMLInputElement | null): File | null {
  return input?.files?.[0] ?? null;
}

type UploadResult = { kind: "ok"; text: string } | { kind: "error"; error: unknown } | { kind: "missing" } | null;

/**
 * A CSV upload form's state: the file input, sending the chosen file's bytes with `send` (which returns the
 * success message), and the outcome — done, refused with line errors, or no file chosen.
 */
export function useCsvUpload(send: (csv: Blob) => Promise<string>) {
  const file = useRef<HTMLInputElement>(null);
  const [result, setResult] = useState<UploadResult>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const chosen = chosenFile(file.current);
    if (chosen === null) {
      setResult({ kind: "missing" });
      file.current?.focus();
      return;
    }
    setBusy(true);
    try {
      setResult({ kind: "ok", text: await send(chosen) });
      if (file.current) file.current.value = "";
    } catch (err) {
      setResult({ kind: "error", error: err });
    } finally {
      setBusy(false);
    }
  };
  const fileErrors: FieldError[] | undefined =
    result?.kind === "missing" ? [{ question: "file", code: "required", message_vi: A.chooseFile.vi, message_en: A.chooseFile.en }] : undefined;
  return { file, result, busy, submit, fileErrors };
}

// --- confirmation ---

interface Question {
  message: string;
  confirm: string;
  danger: boolean;
  action: () => void;
}

/**
 * Asks before an action that changes what respondents or staff can do. A modal <dialog> keeps focus
 * inside and closes with Escape; focus goes back to the button that asked.
 */
export function useConfirm(lang: Lang): [JSX.Element | null, (message: string, confirm: string, action: () => void, danger?: boolean) => void] {
  const [question, setQuestion] = useState<Question | null>(null);
  const opener = useRef<HTMLElement | null>(null);
  const done = () => {
    setQuestion(null);
    const back = opener.current;
    setTimeout(() => back?.isConnected && back.focus(), 0);
  };
  const ask = (message: string, confirm: string, action: () => void, danger = false) => {
    opener.current = document.activeElement as HTMLElement | null;
    setQuestion({ message, confirm, danger, action });
  };
  const dialog = question ? (
    <ConfirmDialog
      question={question}
      lang={lang}
      onCancel={done}
      onConfirm={() => {
        done();
        question.action();
      }}
    />
  ) : null;
  return [dialog, ask];
}

function ConfirmDialog({ question, lang, onConfirm, onCancel }: { question: Question; lang: Lang; onConfirm(): void; onCancel(): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return (
    <dialog ref={ref} class="confirm" aria-labelledby="confirm-message" onCancel={(e) => (e.preventDefault(), onCancel())}>
      <p id="confirm-message">{question.message}</p>
      <div class="actions">
        <button type="button" class="btn secondary" onClick={onCancel}>
          {tr(A.cancel, lang)}
        </button>
        <button type="button" class={question.danger ? "btn danger" : "btn"} onClick={onConfirm}>
          {question.confirm}
        </button>
      </div>
    </dialog>
  );
}

// --- units ---

/** Names of units by key, fetched once per page load; the tables show keys until the names arrive. */
const unitNames = new Map<string, string>();

export function rememberUnitName(key: string, name: string): void {
  unitNames.set(key, name);
}

export function useUnitNames(keys: readonly string[]): (key: string) => string {
  const [, bump] = useState(0);
  const missing = [...new Set(keys)].filter((k) => !unitNames.has(k));
  useEffect(() => {
    if (missing.length === 0) return;
    let live = true;
    void Promise.all(
      missing.map((k) =>
        api.unit(k).then(
          (r) => unitNames.set(k, r.unit.fullName),
          () => unitNames.set(k, k),
        ),
      ),
    ).then(() => live && bump((n) => n + 1));
    return () => {
      live = false;
    };
  }, [missing.join("|")]);
  return (key) => unitNames.get(key) ?? key;
}

/** Searches units as the person types (after a pause); null until something is typed. */
export function useUnitSearch(query: string, registry: string, limit = 20): { hits: UnitHit[] | null; failed: boolean } {
  const [hits, setHits] = useState<UnitHit[] | null>(null);
  const [failed, setFailed] = useState(false);
  const seq = useRef(0);
  useEffect(() => {
    const q = query.trim();
    const mine = ++seq.current;
    if (q === "" || !registry) {
      setHits(null);
      return;
    }
    const timer = setTimeout(() => {
      api.searchUnits(q, registry, limit).then(
        (r) => {
          if (mine !== seq.current) return; // an older query answered late
          setFailed(false);
          setHits(r.units);
        },
        () => mine === seq.current && setFailed(true),
      );
    }, 250);
    return () => clearTimeout(timer);
  }, [query, registry]);
  return { hits, failed };
}

export function levelName(level: string, lang: Lang): string {
  const known = A.levels[level];
  return known ? tr(known, lang) : level;
}

export interface ChosenUnit {
  key: string;
  name: string;
}

/** Chooses any number of units by searching; the chosen ones are listed with a button to remove each. */
export function UnitChooser(props: {
  id: string;
  label: string;
  hint?: string;
  registry: string;
  value: ChosenUnit[];
  errors?: FieldError[] | undefined;
  lang: Lang;
  onChange(units: ChosenUnit[]): void;
}) {
  const { id, lang, value } = props;
  const [query, setQuery] = useState("");
  const { hits, failed } = useUnitSearch(query, props.registry);
  const input = useRef<HTMLInputElement>(null);
  const chosen = new Set(value.map((u) => u.key));
  const aria = describe(id, true, props.errors);
  return (
    <fieldset class={`field-row unit-chooser${props.errors?.length ? " has-error" : ""}`} aria-describedby={aria["aria-describedby"]}>
      <legend>
        {props.label} <span class="optional">({tr(A.optional, lang)})</span>
      </legend>
      <FieldMessages id={id} hint={props.hint ?? tr(A.unitSearchHint, lang)} errors={props.errors} lang={lang} />
      {value.length > 0 && (
        <ul class="chips" aria-label={tr(A.unitChosen, lang)}>
          {value.map((u) => (
            <li key={u.key}>
              <span>{u.name}</span>
              <button
                type="button"
                class="chip-remove"
                aria-label={fill(tr(A.removeUnit, lang), { name: u.name })}
                onClick={() => {
                  props.onChange(value.filter((x) => x.key !== u.key));
                  input.current?.focus();
                }}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <label class="sr-only" for={id}>
        {tr(A.unitSearch, lang)}
      </label>
      <input
        ref={input}
        id={id}
        class="input"
        type="search"
        autoComplete="off"
        placeholder={tr(A.unitSearch, lang)}
        aria-invalid={aria["aria-invalid"]}
        // Only while the list is on screen: a reference to nothing is an error for assistive technology.
        aria-controls={hits && hits.length > 0 ? `${id}-results` : undefined}
        value={query}
        onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)}
      />
      <p class="sr-only" role="status">
        {hits ? (hits.length ? fill(tr(A.unitResults, lang), { n: hits.length }) : tr(A.unitNone, lang)) : ""}
      </p>
      {failed && <p class="field-error">{tr(A.offline, lang)}</p>}
      {hits && hits.length === 0 && !failed && <p class="hint">{tr(A.unitNone, lang)}</p>}
      {hits && hits.length > 0 && (
        <ul class="results unit-results" id={`${id}-results`}>
          {hits.map((u) => (
            <li key={u.key}>
              <button
                type="button"
                class="result"
                disabled={chosen.has(u.key)}
                onClick={() => {
                  rememberUnitName(u.key, u.fullName);
                  props.onChange([...value, { key: u.key, name: u.fullName }]);
                  setQuery("");
                  input.current?.focus();
                }}
              >
                <span>
                  {u.fullName} <span class="muted">· {levelName(u.level, lang)}</span>
                </span>
                {u.path.length > 0 && <span class="detail">{u.path.join(", ")}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}

// --- formatting ---

const locale = (lang: Lang) => (lang === "vi" ? "vi-VN" : "en-GB");

export function percent(rate: number, lang: Lang): string {
  return new Intl.NumberFormat(locale(lang), { style: "percent", maximumFractionDigits: 1 }).format(rate);
}

export function dateTime(iso: string, lang: Lang): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(locale(lang), { dateStyle: "short", timeStyle: "medium" });
}
