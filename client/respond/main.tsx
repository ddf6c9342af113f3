/** Entry of the respondent route: /r/:roundId shows a round's public form, /i/#<token> an invitee's form. */
import { render } from "preact";
import "../common/styles.css";
import { RespondApp } from "./app.js";
import { Header, Notice } from "../common/ui.js";
import { storedLang, tr } from "../common/i18n.js";
import { S } from "./strings.js";
import { invitationFlow, invitationToken } from "./invitation.js";
import { registerServiceWorker } from "../common/service-worker.js";

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

// Scoped to /r/: an invitation's form is personal, and the other apps have their own (or none).
// A classic worker, one self-contained file: module service workers are not yet in every browser.
if (round) registerServiceWorker("/respond-sw.js", { scope: "/r/" });
