/** The administration app: administrators sign in, then work in tabs (rounds, invitations, accounts, units, audit log); the tab is in the path. */
import { useEffect, useRef, useState } from "preact/hooks";
import { RequireSignIn, SignOutButton, type SignedInUser } from "../common/sign-in.js";
import { tr, useLang, type Lang } from "../common/i18n.js";
import { LangToggle } from "../common/ui.js";
import { A } from "./strings.js";
import { RoundsTab } from "./rounds.js";
import { InvitationsTab } from "./invitations.js";
import { AccountsTab } from "./accounts.js";
import { UnitsTab } from "./units.js";
import { AuditTab } from "./audit.js";
import { ParAgenciesTab } from "./par-agencies.js";
import { XlsformTab } from "./xlsform.js";

const TABS = ["rounds", "invitations", "accounts", "units", "par-agencies", "questionnaires", "audit"] as const;
type Tab = (typeof TABS)[number];

export interface TabProps {
  lang: Lang;
  user: SignedInUser;
  params: URLSearchParams;
  navigate(path: string): void;
}

function readRoute(): { tab: Tab; params: URLSearchParams } {
  const segment = location.pathname.replace(/^\/admin\/?/, "").split("/")[0] ?? "";
  const tab = (TABS as readonly string[]).includes(segment) ? (segment as Tab) : "rounds";
  return { tab, params: new URLSearchParams(location.search) };
}

function navigate(path: string): void {
  history.pushState(null, "", path);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

export function AdminApp() {
  const lang = useLang();
  return (
    <>
      <header class="admin-header">
        <h1>{tr(A.title, lang)}</h1>
        <LangToggle lang={lang} />
      </header>
      <RequireSignIn roles={["admin"]} lang={lang}>
        {(user, signOut) => <Admin user={user} signOut={signOut} lang={lang} />}
      </RequireSignIn>
    </>
  );
}

function Admin({ user, signOut, lang }: { user: SignedInUser; signOut(): void; lang: Lang }) {
  const [route, setRoute] = useState(readRoute);
  const heading = useRef<HTMLHeadingElement>(null);
  const firstRender = useRef(true);

  useEffect(() => {
    const onPop = () => setRoute(readRoute());
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);
  useEffect(() => {
    document.title = `${tr(A.tabs[route.tab], lang)} — ${tr(A.title, lang)} — chiso`;
    // After a tab change (not on first load), screen readers and the keyboard start at the new heading.
    if (firstRender.current) firstRender.current = false;
    else heading.current?.focus();
  }, [route.tab, lang]);

  const props: TabProps = { lang, user, params: route.params, navigate };
  return (
    <>
      <div class="admin-bar">
        <nav class="tabs" aria-label={tr(A.tabsLabel, lang)}>
          {TABS.map((t) => (
            <a
              key={t}
              href={`/admin/${t}`}
              class={t === route.tab ? "tab active" : "tab"}
              aria-current={t === route.tab ? "page" : undefined}
              onClick={(e) => {
                if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return; // new tab or window: let the browser do it
                e.preventDefault();
                navigate(`/admin/${t}`);
              }}
            >
              {tr(A.tabs[t], lang)}
            </a>
          ))}
        </nav>
        <SignOutButton lang={lang} user={user} onSignOut={signOut} />
      </div>
      <main class="admin-main" id={`tab-${route.tab}`}>
        <h2 ref={heading} tabIndex={-1}>
          {tr(A.tabs[route.tab], lang)}
        </h2>
        {route.tab === "rounds" && <RoundsTab {...props} />}
        {route.tab === "invitations" && <InvitationsTab {...props} />}
        {route.tab === "accounts" && <AccountsTab {...props} />}
        {route.tab === "units" && <UnitsTab {...props} />}
        {route.tab === "par-agencies" && <ParAgenciesTab {...props} />}
        {route.tab === "questionnaires" && <XlsformTab {...props} />}
        {route.tab === "audit" && <AuditTab {...props} />}
      </main>
    </>
  );
}
