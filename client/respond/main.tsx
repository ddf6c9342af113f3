/** Entry of the respondent route: /r/:roundId shows that round's form. */
import { render } from "preact";
import "../common/styles.css";
import { RespondApp } from "./app.js";
import { Header, Notice } from "../common/ui.js";
import { storedLang, tr } from "../common/i18n.js";
import { S } from "./strings.js";

const app = document.getElementById("app")!;
const match = /^\/r\/([^/]+)\/?$/.exec(location.pathname);
if (match) {
  render(<RespondApp roundId={decodeURIComponent(match[1]!)} />, app);
} else {
  // /i/:token (invitations) is served this page too; invitations have no API yet.
  const lang = storedLang();
  render(
    <>
      <Header title="chiso" lang={lang} />
      <main>
        <Notice kind="error">{tr(location.pathname.startsWith("/i/") ? S.invitation : S.notFound, lang)}</Notice>
      </main>
    </>,
    app,
  );
}
