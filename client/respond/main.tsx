/** Entry of the respondent route: /r/:roundId shows a round's public form, /i/:token an invitee's form. */
import { render } from "preact";
import "../common/styles.css";
import { RespondApp } from "./app.js";
import { Header, Notice } from "../common/ui.js";
import { storedLang, tr } from "../common/i18n.js";
import { S } from "./strings.js";

const app = document.getElementById("app")!;
const round = /^\/r\/([^/]+)\/?$/.exec(location.pathname);
const invitation = /^\/i\/([^/]+)\/?$/.exec(location.pathname);
if (round) {
  render(<RespondApp source={{ kind: "round", roundId: decodeURIComponent(round[1]!) }} />, app);
} else if (invitation) {
  render(<RespondApp source={{ kind: "invitation", token: decodeURIComponent(invitation[1]!) }} />, app);
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
