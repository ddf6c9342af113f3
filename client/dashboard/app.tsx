/** The results dashboard: round and filters (in the URL hash), view tabs, exports; Vietnamese by default. */
import { useContext, useEffect, useState } from "preact/hooks";
import { createContext } from "preact";
import { RequireSignIn, SignOutButton, type SignedInUser } from "../common/sign-in.js";
import { fill, problemText, setLang, tr, useLang, type Lang } from "../common/i18n.js";
import { HttpError } from "../common/net.js";
import { downloadFile } from "./download.js";
import { api, appendixLevel, exportUrl, NO_FILTERS, readHash, writeHash, VIEWS, type Filters, type InstrumentInfo, type RoundInfo } from "./api.js";
import { D } from "./strings.js";
import { ErrorBox, Loading, Select, flatten, levelsOfTree, nodeLabel, useAsync } from "./common.js";
import { ResultsView } from "./results-view.js";
import { CompareView, ProgressView, RankingView, WeakestView } from "./other-views.js";
import { TargetsView } from "./targets-view.js";
import { ParIndexView } from "./par-index-view.js";
import { ApiTokensPanel } from "./api-tokens.js";

interface Catalogue {
  rounds: RoundInfo[];
  instruments: InstrumentInfo[];
  registries: Array<{ id: string; label: string | { vi: string; en: string } }>;
  groups: Map<string, Array<{ code: string; label: { vi: string; en: string } }>>;
  unitLevels: Map<string, string>;
}

/** Only the rounds the signed-in account may read: the server refuses the others (403), so offering them is a dead end. */
function assignedRounds(user: SignedInUser | undefined, rounds: RoundInfo[]): RoundInfo[] {
  if (!user || user.role === "admin" || !user.rounds?.length) return rounds;
  const allowed = new Set(user.rounds);
  return rounds.filter((r) => allowed.has(r.id));
}

async function loadCatalogue(user: SignedInUser | undefined): Promise<Catalogue> {
  const [all, { instruments }, { registries }] = await Promise.all([api.rounds(), api.instruments(), api.registries()]);
  const rounds = assignedRounds(user, all.rounds);
  // Group labels and the unit level come with each questionnaire; fetched once per edition.
  const groups = new Map<string, Array<{ code: string; label: { vi: string; en: string } }>>();
  const unitLevels = new Map<string, string>();
  await Promise.all(
    [...new Set(rounds.map((r) => r.instrument.id))].map(async (id) => {
      const res = await fetch(`/api/instruments/${encodeURIComponent(id)}`);
      if (!res.ok) return;
      const body = (await res.json()) as { instrument: { unitLevel: string; respondentGroups: Array<{ code: string; label: { vi: string; en: string } }> } };
      groups.set(id, body.instrument.respondentGroups);
      unitLevels.set(id, body.instrument.unitLevel);
    }),
  );
  return { rounds, instruments, registries, groups, unitLevels };
}

/**
 * The round the dashboard opens on: the citizens' survey (SIPAS) most analysts report on first, open
 * rounds before closed ones; then any open round; then the first.
 */
function defaultRound(cat: Catalogue): RoundInfo | undefined {
  const family = (r: RoundInfo) => cat.instruments.find((i) => i.id === r.instrument.id)?.family;
  const sipas = cat.rounds.filter((r) => family(r) === "sipas");
  return sipas.find((r) => r.status === "open") ?? sipas[0] ?? cat.rounds.find((r) => r.status === "open") ?? cat.rounds[0];
}

export function DashboardApp() {
  const lang = useLang();
  return (
    <RequireSignIn roles={["admin", "analyst"]} lang={lang}>
      {(user, signOut) => (
        <SignedInContext.Provider value={{ user, signOut }}>
          <Dashboard />
        </SignedInContext.Provider>
      )}
    </RequireSignIn>
  );
}

/** Who is signed in, for the header's sign-out button. */
const SignedInContext = createContext<{ user: SignedInUser; signOut(): void } | null>(null);

function Dashboard() {
  const lang = useLang();
  const user = useContext(SignedInContext)?.user;
  const catalogue = useAsync(() => loadCatalogue(user), "catalogue");
  const [filters, setFilters] = useState<Filters | null>(null);

  useEffect(() => {
    if (catalogue.state !== "ok" || filters) return;
    const hash = readHash();
    const round = catalogue.data.rounds.find((r) => r.id === hash.round) ?? defaultRound(catalogue.data);
    if (round) setFilters({ ...NO_FILTERS, ...hash, round: round.id } as Filters);
  }, [catalogue.state]);
  useEffect(() => {
    if (filters) writeHash(filters);
  }, [filters]);

  const update = (patch: Partial<Filters>) => setFilters((f) => (f ? { ...f, ...patch } : f));

  if (catalogue.state === "loading")
    return (
      <Shell lang={lang}>
        <Loading lang={lang} />
      </Shell>
    );
  if (catalogue.state === "error")
    return (
      <Shell lang={lang}>
        <ErrorBox error={catalogue.error} lang={lang} />
      </Shell>
    );
  const cat = catalogue.data;
  if (!filters)
    return (
      <Shell lang={lang}>
        <p class="notice info">{tr(D.noRounds, lang)}</p>
      </Shell>
    );
  const round = cat.rounds.find((r) => r.id === filters.round)!;
  const family = (id: string) => cat.instruments.find((i) => i.id === id)?.family;
  const comparable = cat.rounds.filter((r) => r.id !== round.id && family(r.instrument.id) === family(round.instrument.id));
  const groups = (cat.groups.get(round.instrument.id) ?? []).filter((g) => round.groups.includes(g.code));
  const unitLevel = cat.unitLevels.get(round.instrument.id) ?? "commune";
  // A PAR INDEX round (self-assessment + leader survey + SIPAS) has its own view.
  const parIndex = family(round.instrument.id) === "par-index";

  return (
    <Shell lang={lang}>
      <div class="topbar no-print">
        <Select
          name="round"
          label={tr(D.round, lang)}
          value={round.id}
          options={cat.rounds.map((r) => ({ value: r.id, label: tr(r.title, lang) }))}
          onChange={(id) => id && setFilters({ ...NO_FILTERS, view: filters.view, round: id })}
        />
        {!parIndex && <Exports filters={filters} lang={lang} />}
        <button type="button" class="btn secondary small" onClick={() => window.print()}>
          {tr(D.print, lang)}
        </button>
      </div>
      {parIndex ? (
        <main class="content">
          <ParIndexView roundId={round.id} lang={lang} />
        </main>
      ) : (
        <>
          <nav class="tabs no-print" aria-label={tr(D.title, lang)}>
            {VIEWS.map((v) => (
              <button
                type="button"
                key={v}
                class={v === filters.view ? "tab active" : "tab"}
                aria-current={v === filters.view ? "page" : undefined}
                onClick={() => update({ view: v, level: null })}
              >
                {tr(D.views[v], lang)}
              </button>
            ))}
          </nav>
          {filters.view !== "progress" && (
            <FilterBar filters={filters} update={update} lang={lang} groups={groups} registries={cat.registries} comparable={comparable} round={round} />
          )}
          <PrintHeader round={round} filters={filters} lang={lang} groups={groups} />
          <main class="content">
            <View filters={filters} update={update} lang={lang} groups={groups} round={round} comparable={comparable} unitLevel={unitLevel} />
          </main>
        </>
      )}
    </Shell>
  );
}

function Shell({ lang, children }: { lang: Lang; children: preact.ComponentChildren }) {
  const other: Lang = lang === "vi" ? "en" : "vi";
  const session = useContext(SignedInContext);
  return (
    <>
      <header class="dash-header">
        <h1>{tr(D.title, lang)}</h1>
        {session && <SignOutButton lang={lang} user={session.user} onSignOut={session.signOut} />}
        <button type="button" class="btn secondary small no-print" lang={other} onClick={() => setLang(other)}>
          {other === "en" ? "English" : "Tiếng Việt"}
        </button>
      </header>
      {children}
      {session?.user.role === "analyst" && <ApiTokensPanel lang={lang} />}
    </>
  );
}

function View(props: {
  filters: Filters;
  update(p: Partial<Filters>): void;
  lang: Lang;
  groups: Array<{ code: string; label: { vi: string; en: string } }>;
  round: RoundInfo;
  comparable: RoundInfo[];
  unitLevel: string;
}) {
  const { filters, lang, round, comparable } = props;
  const common = { filters, update: props.update, lang, groups: props.groups };
  // The index tree (for node and level choices) of the round, whatever the filters.
  const tree = useAsync(
    () => api.results({ ...filters, unit: null, group: null, compare: null }),
    JSON.stringify([filters.round, filters.variant, filters.asOf]),
  );
  const compareOptions = comparable.map((r) => ({ value: r.id, label: tr(r.title, lang) }));
  const defaultLevel = props.unitLevel === "agency" ? "agency" : "commune";
  switch (filters.view) {
    case "progress":
      return <ProgressView {...common} defaultLevel={defaultLevel} />;
    case "ranking":
      return <RankingView {...common} defaultLevel={defaultLevel} />;
    case "compare":
      return <CompareView {...common} compareOptions={compareOptions} />;
    case "weakest":
      return <WeakestView {...common} levels={tree.state === "ok" ? levelsOfTree(tree.data.root) : []} />;
    case "targets":
      return tree.state === "ok" ? (
        <TargetsView
          {...common}
          nodes={flatten(tree.data.root).map(({ node, depth }) => ({
            code: node.code,
            label: `${"  ".repeat(depth)}${node.code} ${nodeLabel(node, lang, true)}`,
          }))}
          levels={levelsOfTree(tree.data.root)}
          rounds={compareOptions}
        />
      ) : (
        <Loading lang={lang} />
      );
    default:
      return (
        <ResultsView
          {...common}
          indexTitle={tr(round.instrument.title, lang)}
          round={round}
          unitLevel={props.unitLevel}
          roundTitle={(id) => {
            const r = comparable.find((x) => x.id === id);
            return r ? tr(r.title, lang) : id;
          }}
        />
      );
  }
}

/** Unit (breadcrumb with "up"), group, comparison round and unit registry. */
function FilterBar(props: {
  filters: Filters;
  update(p: Partial<Filters>): void;
  lang: Lang;
  groups: Array<{ code: string; label: { vi: string; en: string } }>;
  registries: Catalogue["registries"];
  comparable: RoundInfo[];
  round: RoundInfo;
}) {
  const { filters, update, lang } = props;
  const path = useAsync(() => (filters.unit ? api.unitPath(filters.unit) : Promise.resolve(null)), filters.unit ?? "");
  const crumbs = path.state === "ok" && path.data ? [...path.data.path].reverse().concat([path.data.unit]) : [];
  return (
    <div class="filters no-print">
      <div class="crumbs" aria-label={tr(D.unit, lang)}>
        <button type="button" class="link" onClick={() => update({ unit: null })}>
          {tr(D.allUnits, lang)}
        </button>
        {crumbs.map((c) => (
          <span key={c.key}>
            {" › "}
            {c.key === filters.unit ? (
              <strong>{c.fullName}</strong>
            ) : (
              <button type="button" class="link" onClick={() => update({ unit: c.key, by: null })}>
                {c.fullName}
              </button>
            )}
          </span>
        ))}
      </div>
      <div class="controls">
        {props.groups.length > 1 && (
          <Select
            name="group"
            label={tr(D.group, lang)}
            value={filters.group}
            options={[{ value: "", label: tr(D.allGroups, lang) }, ...props.groups.map((g) => ({ value: g.code, label: tr(g.label, lang) }))]}
            onChange={(v) => update({ group: v })}
          />
        )}
        {filters.view !== "compare" && props.comparable.length > 0 && (
          <Select
            name="compare"
            label={tr(D.compareWith, lang)}
            value={filters.compare}
            options={[{ value: "", label: tr(D.none, lang) }, ...props.comparable.map((r) => ({ value: r.id, label: tr(r.title, lang) }))]}
            onChange={(v) => update({ compare: v })}
          />
        )}
        <Select
          name="asOf"
          label={tr(D.asOf, lang)}
          value={filters.asOf ?? props.round.registry}
          options={props.registries.map((r) => ({
            value: r.id,
            label: D.registries[r.id] ? tr(D.registries[r.id]!, lang) : typeof r.label === "string" ? r.label : tr(r.label, lang),
          }))}
          onChange={(v) => update({ asOf: v === props.round.registry ? null : v, unit: null, by: null })}
        />
      </div>
    </div>
  );
}

/**
 * The download links. Each is fetched before it is saved, so that a refusal (a raw-data export the
 * account may not take, 403) shows the server's message rather than a silently cancelled download.
 */
function Exports({ filters, lang }: { filters: Filters; lang: Lang }) {
  const [state, setState] = useState<{ kind: "busy" } | { kind: "ok"; name: string } | { kind: "error"; text: string } | null>(null);
  const get = async (e: Event, url: string, layout: string, format: string) => {
    e.preventDefault();
    setState({ kind: "busy" });
    try {
      const name = await downloadFile(url, `${filters.round}-${layout}.${format}`);
      setState({ kind: "ok", name });
    } catch (error) {
      const body = error instanceof HttpError ? error.body?.error : undefined;
      setState({ kind: "error", text: `${tr(D.downloadFailed, lang)}: ${problemText(body, lang)}` });
    }
  };
  const link = (layout: "wide" | "long" | "codebook" | "results" | "ranking", format: "csv" | "xlsx" | "json") => {
    const url = exportUrl(filters, layout, format, lang);
    return (
      <a href={url} download onClick={(e) => void get(e, url, layout, format)}>
        {format.toUpperCase()}
      </a>
    );
  };
  return (
    <details class="exports">
      <summary class="btn secondary small">{tr(D.exports, lang)}</summary>
      <ul>
        <li>
          {tr(D.exportResults, lang)}: {link("results", "xlsx")} {link("results", "csv")}
        </li>
        {appendixLevel(filters) && (
          <li>
            {tr(D.exportRanking, lang)}: {link("ranking", "xlsx")} {link("ranking", "csv")}
          </li>
        )}
        <li>
          {tr(D.exportWide, lang)}: {link("wide", "xlsx")} {link("wide", "csv")} {link("wide", "json")}
        </li>
        <li>
          {tr(D.exportLong, lang)}: {link("long", "csv")}
        </li>
        <li>
          {tr(D.exportCodebook, lang)}: {link("codebook", "xlsx")} {link("codebook", "csv")}
        </li>
      </ul>
      {state?.kind === "busy" && (
        <p class="muted small" role="status">
          {tr(D.downloading, lang)}
        </p>
      )}
      {state?.kind === "ok" && (
        <p class="muted small" role="status">
          {fill(tr(D.downloaded, lang), { name: state.name })}
        </p>
      )}
      {state?.kind === "error" && (
        <div class="notice error" role="alert">
          {state.text}
        </div>
      )}
    </details>
  );
}

/** What a printed page says above the appendix table: round, unit, group, date. */
function PrintHeader({
  round,
  filters,
  lang,
  groups,
}: {
  round: RoundInfo;
  filters: Filters;
  lang: Lang;
  groups: Array<{ code: string; label: { vi: string; en: string } }>;
}) {
  const group = groups.find((g) => g.code === filters.group);
  const unit = useAsync(() => (filters.unit ? api.unitPath(filters.unit) : Promise.resolve(null)), filters.unit ?? "");
  const unitName =
    unit.state === "ok" && unit.data ? [unit.data.unit, ...unit.data.path].map((u) => u.fullName).join(", ") : (filters.unit ?? tr(D.allUnits, lang));
  const date = new Date().toISOString().slice(0, 10).split("-").reverse().join("/");
  return (
    <div class="print-only print-header">
      <p class="strong">{tr(round.title, lang)}</p>
      <p>
        {unitName}
        {group ? ` — ${tr(group.label, lang)}` : ""}
      </p>
      <p class="muted">{tr(D.generated, lang).replace("{date}", date)}</p>
    </div>
  );
}
