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

/** One entry of a browsed list: a unit to choose, or one to open (it has units under it). */
export interface BrowseEntry extends UnitChoice {
  open: boolean;
}

/** A level of the browse path: the units under `parent` (null: the top, e.g. the round's provinces). */
export interface BrowseLevel {
  title: string;
  entries: BrowseEntry[];
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
  /** The fallback to typing: lists to go down, province → commune → village (null: the top). */
  browse?(parent: BrowseEntry | null): Promise<BrowseLevel>;
}) {
  const { value, lang, error } = props;
  const [query, setQuery] = useState("");
  const [hits, setHits] = useState<UnitChoice[] | null>(null);
  const [failed, setFailed] = useState(false);
  /** A search has been sent and not answered yet: on a slow network this is said, not left silent. */
  const [pending, setPending] = useState(false);
  const seq = useRef(0);
  /** The browse path: the levels opened, the last on screen; null while not browsing. */
  const [trail, setTrail] = useState<BrowseLevel[] | null>(null);
  const [browseFailed, setBrowseFailed] = useState(false);
  const browseHeading = useRef<HTMLParagraphElement>(null);
  const openLevel = (entry: BrowseEntry | null, base: BrowseLevel[]) => {
    if (!props.browse) return;
    setBrowseFailed(false);
    props.browse(entry).then(
      (level) => {
        setTrail([...base, level]);
        // Focus follows the list just opened, whose first line says where one is.
        requestAnimationFrame(() => browseHeading.current?.focus());
      },
      () => setBrowseFailed(true),
    );
  };
  const input = useRef<HTMLInputElement>(null);
  const chosen = useRef<HTMLParagraphElement>(null);
  /**
   * Set by "choose another unit" (the search field takes focus as soon as it is back on screen) and
   * by choosing a result (the choice takes focus): the button pressed disappears with its view.
   */
  const refocus = useRef(false);
  useLayoutEffect(() => {
    if (refocus.current) (value ? chosen.current : input.current)?.focus();
    refocus.current = false;
  }, [value]);

  useEffect(() => {
    const q = query.trim();
    const mine = ++seq.current;
    if (q === "") {
      setHits(null);
      setPending(false);
      setFailed(false);
      return;
    }
    const timer = setTimeout(() => {
      setPending(true);
      props.search(q).then(
        (found) => {
          if (mine !== seq.current) return; // an older query answered late
          setPending(false);
          setFailed(false);
          setHits(found);
        },
        () => {
          if (mine !== seq.current) return;
          setPending(false);
          setFailed(true);
        },
      );
    }, props.debounceMs ?? 250);
    return () => clearTimeout(timer);
  }, [query]);

  const choose = (unit: UnitChoice | null) => {
    refocus.current = true;
    setTrail(null);
    props.onChange(unit);
  };
  const current = trail?.[trail.length - 1];

  /**
   * One live region for the whole picker, kept on screen in both views so that what it says is
   * heard: searching, the number of results, no connection, and the unit chosen.
   */
  const said = value
    ? `${tr(COMMON.unitChosen, lang)}: ${value.name}`
    : pending
      ? tr(COMMON.unitSearching, lang)
      : failed
        ? tr(COMMON.unitOffline, lang)
        : hits
          ? hits.length
            ? fill(tr(COMMON.unitResults, lang), { n: hits.length })
            : tr(COMMON.unitNone, lang)
          : "";
  const status = (
    <p id="q-unit-status" key="status" role="status" class={value ? "sr-only" : failed && !pending ? "field-error" : "hint"}>
      {said}
    </p>
  );
  const listShown = !value && hits !== null && hits.length > 0;

  return (
    <div class={`q ${value ? "unit chosen" : "field unit"}${error ? " has-error" : ""}`} id="q-unit">
      {value ? (
        <>
          <p class="label" key="label">
            {props.label}
            <RequiredMark lang={lang} />
          </p>
          <p class="chosen-unit" id="q-unit-chosen" key="chosen" ref={chosen} tabIndex={-1}>
            <span class="sr-only">{tr(COMMON.unitChosen, lang)}: </span>
            <strong>{value.name}</strong>
            {value.detail && <span class="detail">{value.detail}</span>}
          </p>
          {error && <ErrorMessage id="q-unit-err" text={errorText(error, lang)} />}
          <button type="button" class="btn secondary" key="change" onClick={() => choose(null)}>
            {tr(COMMON.unitChange, lang)}
          </button>
        </>
      ) : (
        <>
          <label for="q-unit-in" key="label">
            {props.label}
            <RequiredMark lang={lang} />
          </label>
          <p class="hint" id="q-unit-hint" key="hint">
            {tr(COMMON.unitHint, lang)}
          </p>
          {error && <ErrorMessage id="q-unit-err" text={errorText(error, lang)} />}
          <input
            id="q-unit-in"
            key="input"
            ref={input}
            class="input"
            type="search"
            autoComplete="off"
            aria-required="true"
            aria-invalid={error ? "true" : undefined}
            aria-describedby={`q-unit-hint${error ? " q-unit-err" : ""} q-unit-status`}
            // Only once there is a list to control: a reference to nothing is an error for assistive technology.
            aria-controls={listShown ? "q-unit-results" : undefined}
            value={query}
            onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)}
          />
        </>
      )}
      {status}
      {listShown && (
        <ul class="results" id="q-unit-results" key="results" aria-label={tr(COMMON.unitSearch, lang)}>
          {hits.map((u) => (
            <li key={u.key}>
              <button type="button" class="result" onClick={() => choose(u)}>
                <span>{u.name}</span>
                {u.detail && <span class="detail">{u.detail}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
      {/* After the results, so that Tab from the search field reaches them first. */}
      {!value && props.browse && !current && (
        <button type="button" class="btn secondary small browse" onClick={() => openLevel(null, [])}>
          {tr(COMMON.unitBrowse, lang)}
        </button>
      )}
      {!value && browseFailed && <p class="field-error">{tr(COMMON.unitOffline, lang)}</p>}
      {!value && current && (
        <div class="browse-list">
          <p class="label" tabIndex={-1} ref={browseHeading}>
            {fill(tr(COMMON.unitBrowseList, lang), { name: current.title })}
          </p>
          <ul class="results" aria-label={fill(tr(COMMON.unitBrowseList, lang), { name: current.title })}>
            {current.entries.map((u) => (
              <li key={u.key}>
                <button type="button" class={`result${u.open ? " opens" : ""}`} onClick={() => (u.open ? openLevel(u, trail!) : choose(u))}>
                  <span>{u.name}</span>
                  {u.detail && <span class="detail">{u.detail}</span>}
                </button>
              </li>
            ))}
          </ul>
          <p class="copy-row">
            {trail!.length > 1 && (
              <button type="button" class="btn secondary small" onClick={() => setTrail(trail!.slice(0, -1))}>
                {fill(tr(COMMON.unitBrowseUp, lang), { name: trail![trail!.length - 2]!.title })}
              </button>
            )}
            <button type="button" class="btn secondary small" onClick={() => setTrail(null)}>
              {tr(COMMON.unitBrowseClose, lang)}
            </button>
          </p>
        </div>
      )}
    </div>
  );
}
