/** The landing page: open rounds that take responses online, and the way to the enumerator app and the dashboard. */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { RoundList, RoundSummary } from "../../shared/api/rounds.js";
import "../common/styles.css";
import { tr, useLang, type Text } from "../common/i18n.js";
import { requestJson } from "../common/net.js";
import { Header, Notice } from "../common/ui.js";

const T = {
  title: { vi: "Khảo sát đang mở", en: "Open surveys" },
  intro: { vi: "Chọn đợt khảo sát để trả lời phiếu trực tuyến.", en: "Choose a survey round to answer online." },
  none: { vi: "Hiện không có đợt khảo sát nào nhận phiếu trực tuyến.", en: "No survey round is taking responses online now." },
  failed: { vi: "Không tải được danh sách đợt khảo sát.", en: "The list of survey rounds could not be loaded." },
  answer: { vi: "Trả lời phiếu", en: "Answer" },
  staff: { vi: "Dành cho cán bộ", en: "For staff" },
  collect: { vi: "Ứng dụng điều tra viên", en: "Enumerator app" },
  dashboard: { vi: "Bảng kết quả", en: "Results dashboard" },
} satisfies Record<string, Text>;

function Landing() {
  const lang = useLang();
  const [rounds, setRounds] = useState<RoundSummary[] | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    requestJson<RoundList>("/api/rounds").then(
      (r) => setRounds(r.rounds.filter((x) => x.status === "open" && x.modes.includes("public"))),
      () => setFailed(true),
    );
  }, []);
  return (
    <>
      <Header title="chiso" lang={lang} />
      <main>
        <h1>{tr(T.title, lang)}</h1>
        <p>{tr(T.intro, lang)}</p>
        {failed && <Notice kind="error">{tr(T.failed, lang)}</Notice>}
        {rounds && rounds.length === 0 && <p>{tr(T.none, lang)}</p>}
        {rounds && rounds.length > 0 && (
          <ul class="results">
            {rounds.map((r) => (
              <li key={r.id}>
                <a class="result" href={`/r/${encodeURIComponent(r.id)}`}>
                  <span>{tr(r.title, lang)}</span>
                  <span class="detail">{tr(r.instrument.title, lang)}</span>
                </a>
              </li>
            ))}
          </ul>
        )}
        <h2>{tr(T.staff, lang)}</h2>
        <ul>
          <li>
            <a href="/collect">{tr(T.collect, lang)}</a>
          </li>
          <li>
            <a href="/dashboard">{tr(T.dashboard, lang)}</a>
          </li>
        </ul>
      </main>
    </>
  );
}

render(<Landing />, document.getElementById("app")!);
