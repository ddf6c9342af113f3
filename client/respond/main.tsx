/** Entry of the respondent route: /r/:roundId shows a round's public form, /i/#<token> an invitee's form. */
import { render } from "preact";
import "../common/styles.css";
import { RespondApp } from "./app.js";
import { Header, Notice } from "../common/ui.js";
import { storedLang, tr } from "../common/i18n.js";
import { S } from "./strings.js";
import { invitationFlow, invitationToken } from "./invitation.js";

const app = document.getElementById("app")!;
const round = /^\/r\/([^/]+)\/?$/.exec(location.pathname);
// The invitation token is in the fragment, which the browser never sends to any server or proxy.
const invitation = /^\/i\/?$/.test(location.pathname) ? invitationToken(location.hash) : null;
if (round) {
  render(<RespondApp source={{ kind: "round", roundId: decodeURIComponent(round[1]!) }} />, app);
} else if (invitation) {
  render(<RespondApp source={{ kind: "invitation", flow: invitationFlow(invitation) }} />, app);
} else {
  const lang = storedLang();
  render(
    <>
      <Header title="chiso" lang={lang} />
      <main>
        <Notice kind="error">{tr(S.notFound, lang)}</Notice>
      </main>
    </>,
    app,
  );
}

const WORKER = "/respond-sw.js";

/** The part of the Trusted Types API used here (not yet in TypeScript's DOM types). */
interface TrustedTypePolicyFactory {
  createPolicy(name: string, rules: { createScriptURL(url: string): string }): { createScriptURL(url: string): unknown };
}

/**
 * The Content-Security-Policy enforces Trusted Types (docs/security.md): a script URL must come from
 * the one policy the server names, which allows this service worker and nothing else.
 */
function workerUrl(): string {
  const factory = (window as { trustedTypes?: TrustedTypePolicyFactory }).trustedTypes;
  if (!factory) return WORKER;
  const policy = factory.createPolicy("chiso-service-worker", {
    createScriptURL: (url) => {
      if (url !== WORKER) throw new TypeError(`not the service worker: ${url}`);
      return url;
    },
  });
  return policy.createScriptURL(WORKER) as string;
}

// Scoped to /r/: an invitation's form is personal, and the other apps have their own (or none).
if (round && "serviceWorker" in navigator) {
  navigator.serviceWorker.register(workerUrl(), { scope: "/r/" }).catch((e: unknown) => console.warn("service worker not registered", e));
}
