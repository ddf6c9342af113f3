/** The units tab: import a round's villages or agencies from CSV into a registry, and look units up. */
import { useState } from "preact/hooks";
import { fill, tr, type Lang } from "../common/i18n.js";
import { HeaderRow, Notice } from "../common/ui.js";
import { api, currentRegistry, type Registry } from "./api.js";
import { Check, Field, FieldGroup, LineErrors, Show, TableWrap, levelName, useCsvUpload, useAsync, useUnitSearch } from "./common.js";
import { A } from "./strings.js";
import type { TabProps } from "./app.js";

export function UnitsTab({ lang }: TabProps) {
  const [registries] = useAsync(() => api.registries().then((r) => r.registries));
  return (
    <Show value={registries} lang={lang}>
      {(list) => (
        <>
          <Import registries={list} lang={lang} />
          <Lookup registries={list} lang={lang} />
        </>
      )}
    </Show>
  );
}

function RegistrySelect({
  id,
  registries,
  value,
  lang,
  onChange,
}: {
  id: string;
  registries: Registry[];
  value: string;
  lang: Lang;
  onChange(id: string): void;
}) {
  return (
    <Field id={id} label={tr(A.registry, lang)} lang={lang}>
      {(aria) => (
        <select {...aria} class="input" value={value} onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)}>
          {registries.map((r) => (
            <option key={r.id} value={r.id}>
              {A.registries[r.id] ? tr(A.registries[r.id]!, lang) : r.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

function Import({ registries, lang }: { registries: Registry[]; lang: Lang }) {
  const [kind, setKind] = useState<"village" | "agency">("village");
  const [registry, setRegistry] = useState(currentRegistry(registries));
  const { file, result, busy, submit, fileErrors } = useCsvUpload(async (csv) => {
    const res = await api.importUnits(kind, registry, csv);
    return fill(tr(A.imported, lang), { added: res.added, present: res.alreadyPresent });
  });
  return (
    <section aria-labelledby="import-title">
      <h3 id="import-title">{tr(A.importTitle, lang)}</h3>
      <form class="card form-grid" id="unit-import" onSubmit={submit}>
        <FieldGroup id="import-kind" legend={tr(A.kind, lang)} lang={lang}>
          {(["village", "agency"] as const).map((k) => (
            <Check key={k} type="radio" name="kind" value={k} checked={kind === k} label={tr(A.kinds[k]!, lang)} onChange={(on) => on && setKind(k)} />
          ))}
        </FieldGroup>
        <RegistrySelect id="import-registry" registries={registries} value={registry} lang={lang} onChange={setRegistry} />
        <div class="wide">
          <Field
            id="import-file"
            label={tr(A.file, lang)}
            hint={`${tr(kind === "village" ? A.villageColumns : A.agencyColumns, lang)} ${tr(A.allOrNothing, lang)}`}
            errors={fileErrors}
            lang={lang}
          >
            {(aria) => <input {...aria} ref={file} class="input" type="file" name="file" accept=".csv,text/csv" />}
          </Field>
        </div>
        <div class="wide actions">
          <button type="submit" class="btn" disabled={busy}>
            {tr(A.importButton, lang)}
          </button>
        </div>
      </form>
      {result?.kind === "ok" && <Notice kind="ok">{result.text}</Notice>}
      {result?.kind === "error" && <LineErrors error={result.error} lang={lang} caption={tr(A.importRefused, lang)} />}
    </section>
  );
}

function Lookup({ registries, lang }: { registries: Registry[]; lang: Lang }) {
  const [query, setQuery] = useState("");
  const [registry, setRegistry] = useState(currentRegistry(registries));
  const { hits, failed } = useUnitSearch(query, registry, 50);
  return (
    <section aria-labelledby="lookup-title">
      <h3 id="lookup-title">{tr(A.lookupTitle, lang)}</h3>
      <div class="form-grid card" role="search">
        <Field id="lookup-query" label={tr(A.searchTerm, lang)} hint={tr(A.unitSearchHint, lang)} lang={lang}>
          {(aria) => (
            <input
              {...aria}
              class="input"
              type="search"
              autoComplete="off"
              value={query}
              onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)}
            />
          )}
        </Field>
        <RegistrySelect id="lookup-registry" registries={registries} value={registry} lang={lang} onChange={setRegistry} />
      </div>
      <p class="sr-only" role="status">
        {hits ? (hits.length ? fill(tr(A.unitResults, lang), { n: hits.length }) : tr(A.unitNone, lang)) : ""}
      </p>
      {failed && <Notice kind="error">{tr(A.offline, lang)}</Notice>}
      {hits && hits.length === 0 && !failed && <p>{tr(A.unitNone, lang)}</p>}
      {hits && hits.length > 0 && (
        <TableWrap label={tr(A.lookupTitle, lang)}>
          <table class="table compact" id="unit-results">
            <HeaderRow labels={[tr(A.unitName, lang), tr(A.level, lang), tr(A.within, lang), tr(A.code, lang), tr(A.key, lang)]} />
            <tbody>
              {hits.map((u) => (
                <tr key={u.key}>
                  <td>
                    {u.fullName}
                    {u.matchedFormerName && <span class="detail">{fill(tr(A.formerly, lang), { name: u.matchedFormerName })}</span>}
                  </td>
                  <td>{levelName(u.level, lang)}</td>
                  <td>{u.path.join(", ")}</td>
                  <td>
                    <code>{u.code}</code>
                  </td>
                  <td>
                    <code>{u.key}</code>
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
