/** Choosing a unit by typing part of its name: online search for respondents, offline search for enumerators. */
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { FieldError } from "../../shared/errors.js";
import { COMMON, fill, tr, type Lang } from "./i18n.js";
import { ErrorMessage, RequiredMark, errorText } from "./questions.js";

export interface UnitChoice {
  key: string;
  /** What the person recognises, e.g. "Thôn mẫu 1, Xã Phong Điền". */
  name: string;
  /** Where it lies, to tell namesakes apart. */
  detail?: string;
}

export function UnitPicker(props: {
  label: string;
  value: UnitChoice | null;
  search(query: string): Promise<UnitChoice[]>;
  onChange(unit: UnitChoice | null): void;
  error: FieldError | undefined;
  lang: Lang;
  /** Milliseconds to wait for typing to pause before searching (0 for a local search). */
  debounceMs?: number;
}) {
  const { value, lang, error } = props;
  const [query, setQuery] = useState("");
  const [hits, setHits] = useState<UnitChoice[] | null>(null);
  const [failed, setFailed] = useState(false);
  const seq = useRef(0);
  const input = useRef<HTMLInputElement>(null);
  /** Set by "choose another unit": the search field takes focus as soon as it is back on screen. */
  const refocus = useRef(false);
  useLayoutEffect(() => {
    if (refocus.current && !value) input.current?.focus();
    refocus.current = false;
  }, [value]);

  useEffect(() => {
    const q = query.trim();
    const mine = ++seq.current;
    if (q === "") {
      setHits(null);
      return;
    }
    const timer = setTimeout(() => {
      props.search(q).then(
        (found) => {
          if (mine !== seq.current) return; // an older query answered late
          setFailed(false);
          setHits(found);
        },
        () => mine === seq.current && setFailed(true),
      );
    }, props.debounceMs ?? 250);
    return () => clearTimeout(timer);
  }, [query]);

  if (value) {
    return (
      <div class={`q unit chosen${error ? " has-error" : ""}`} id="q-unit">
        <p class="label">
          {props.label}
          <RequiredMark lang={lang} />
        </p>
        <p class="chosen-unit">
          <span class="sr-only">{tr(COMMON.unitChosen, lang)}: </span>
          <strong>{value.name}</strong>
          {value.detail && <span class="detail">{value.detail}</span>}
        </p>
        {error && <ErrorMessage id="q-unit-err" text={errorText(error, lang)} />}
        <button
          type="button"
          class="btn secondary"
          onClick={() => {
            refocus.current = true;
            props.onChange(null);
          }}
        >
          {tr(COMMON.unitChange, lang)}
        </button>
      </div>
    );
  }

  return (
    <div class={`q field unit${error ? " has-error" : ""}`} id="q-unit">
      <label for="q-unit-in">
        {props.label}
        <RequiredMark lang={lang} />
      </label>
      <p class="hint" id="q-unit-hint">
        {tr(COMMON.unitHint, lang)}
      </p>
      {error && <ErrorMessage id="q-unit-err" text={errorText(error, lang)} />}
      <input
        id="q-unit-in"
        ref={input}
        class="input"
        type="search"
        autoComplete="off"
        aria-required="true"
        aria-invalid={error ? "true" : undefined}
        aria-describedby={`q-unit-hint${error ? " q-unit-err" : ""}`}
        aria-controls="q-unit-results"
        value={query}
        onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)}
      />
      <p class="sr-only" role="status">
        {hits ? (hits.length ? fill(tr(COMMON.unitResults, lang), { n: hits.length }) : tr(COMMON.unitNone, lang)) : ""}
      </p>
      {failed && <p class="field-error">{tr(COMMON.unitOffline, lang)}</p>}
      {hits && hits.length === 0 && !failed && <p class="hint">{tr(COMMON.unitNone, lang)}</p>}
      {hits && hits.length > 0 && (
        <ul class="results" id="q-unit-results" aria-label={tr(COMMON.unitSearch, lang)}>
          {hits.map((u) => (
            <li key={u.key}>
              <button type="button" class="result" onClick={() => props.onChange(u)}>
                <span>{u.name}</span>
                {u.detail && <span class="detail">{u.detail}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
