/**
 * The invitations tab of a round: import invitees from CSV, download the answer links, follow
 * completion as it can honestly be known — per invitee only "opened", per group the number of
 * responses (docs/anonymity.md).
 */
import { fill, tr, type Lang, type Text } from "../common/i18n.js";
import { HeaderRow, Notice } from "../common/ui.js";
import { api, type Progress, type RoundSummary } from "./api.js";
import { Field, LineErrors, Loading, Show, TableWrap, messageOf, percent, useCsvUpload, useAsync } from "./common.js";
import { A } from "./strings.js";
import type { TabProps } from "./app.js";

export function InvitationsTab({ lang, params, navigate }: TabProps) {
  const [rounds] = useAsync(() => api.rounds().then((r) => r.rounds.filter((x) => x.modes.includes("invitation"))));
  return (
    <Show value={rounds} lang={lang}>
      {(list) => {
        if (list.length === 0) return <p>{tr(A.noInvitationRounds, lang)}</p>;
        const round = list.find((r) => r.id === params.get("round")) ?? list[0]!;
        return (
          <>
            <Field id="invitation-round" label={tr(A.round, lang)} lang={lang}>
              {(aria) => (
                <select
                  {...aria}
                  class="input"
                  value={round.id}
                  onChange={(e) => navigate(`/admin/invitations?round=${encodeURIComponent((e.currentTarget as HTMLSelectElement).value)}`)}
                >
                  {list.map((r) => (
                    <option key={r.id} value={r.id}>
                      {tr(r.title, lang)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <p class="notice info anonymity">{tr(A.anonymity, lang)}</p>
            <RoundInvitations key={round.id} round={round} lang={lang} />
          </>
        );
      }}
    </Show>
  );
}

function RoundInvitations({ round, lang }: { round: RoundSummary; lang: Lang }) {
  const [progress, reloadProgress] = useAsync(() => api.progress(round.id), round.id);
  const [groups] = useAsync(() => api.instrument(round.instrument.id, round.instrument.version).then((r) => r.instrument.respondentGroups), round.id);
  const labels = new Map<string, Text>(groups.state === "ok" ? groups.data.map((g) => [g.code, g.label]) : []);
  const groupName = (code: string) => (labels.has(code) ? tr(labels.get(code)!, lang) : code);
  return (
    <>
      {round.status !== "open" && <Notice kind="info">{tr(A.notOpen, lang)}</Notice>}
      <Upload round={round} lang={lang} groupList={round.groups.map((g) => `${g} (${groupName(g)})`).join(", ")} onImported={reloadProgress} />
      <section aria-labelledby="links-title">
        <h3 id="links-title">{tr(A.linksTitle, lang)}</h3>
        <ul class="downloads">
          <li>
            <a href={api.linksUrl(round.id, false)} download>
              {tr(A.linksAll, lang)}
            </a>
          </li>
          <li>
            <a href={api.linksUrl(round.id, true)} download>
              {tr(A.linksPending, lang)}
            </a>
          </li>
        </ul>
      </section>
      <section aria-labelledby="progress-title">
        <div class="section-head">
          <h3 id="progress-title">{tr(A.progressTitle, lang)}</h3>
          <button type="button" class="btn secondary small" onClick={reloadProgress}>
            {tr(A.reload, lang)}
          </button>
        </div>
        {progress.state === "loading" ? <Loading lang={lang} /> : null}
        {progress.state === "error" ? <Notice kind="error">{messageOf(progress.error, lang)}</Notice> : null}
        {progress.state === "ok" ? <Completion progress={progress.data} lang={lang} groupName={groupName} /> : null}
      </section>
    </>
  );
}

function Upload({ round, lang, groupList, onImported }: { round: RoundSummary; lang: Lang; groupList: string; onImported(): void }) {
  const { file, result, busy, submit, fileErrors } = useCsvUpload(async (csv) => {
    const res = await api.uploadInvitees(round.id, csv);
    onImported();
    return fill(tr(A.uploaded, lang), { n: res.imported });
  });
  return (
    <section aria-labelledby="upload-title">
      <h3 id="upload-title">{tr(A.uploadTitle, lang)}</h3>
      <form class="upload" onSubmit={submit}>
        <Field id="invitees-file" label={tr(A.file, lang)} hint={fill(tr(A.uploadHint, lang), { groups: groupList })} lang={lang} errors={fileErrors}>
          {(aria) => <input {...aria} ref={file} class="input" type="file" name="file" accept=".csv,text/csv" />}
        </Field>
        <button type="submit" class="btn" disabled={busy}>
          {tr(A.upload, lang)}
        </button>
      </form>
      {result?.kind === "ok" && <Notice kind="ok">{result.text}</Notice>}
      {result?.kind === "error" && <LineErrors error={result.error} lang={lang} caption={tr(A.uploadRefused, lang)} />}
    </section>
  );
}

function Completion({ progress, lang, groupName }: { progress: Progress; lang: Lang; groupName(code: string): string }) {
  const { total } = progress;
  if (total.invited === 0) return <p>{tr(A.noInvitees, lang)}</p>;
  return (
    <>
      <p class="total" id="completion-total">
        {fill(tr(A.progressTotal, lang), { opened: total.opened, invited: total.invited, responses: total.responses })}
      </p>
      <p class="hint">{tr(A.openedNote, lang)}</p>
      <p class="hint">{fill(tr(A.minCell, lang), { min: progress.minCellSize })}</p>
      <TableWrap label={tr(A.byGroup, lang)}>
        <table class="table" id="completion-groups">
          <caption>{tr(A.byGroup, lang)}</caption>
          <HeaderRow
            labels={[
              tr(A.group, lang),
              { label: tr(A.invited, lang), num: true },
              { label: tr(A.invitationOpened, lang), num: true },
              { label: tr(A.responses, lang), num: true },
              { label: tr(A.rate, lang), num: true },
            ]}
          />
          <tbody>
            {progress.groups.map((g) => (
              <tr key={g.group}>
                <th scope="row">{groupName(g.group)}</th>
                <td class="num">{g.invited}</td>
                <td class="num">{g.opened}</td>
                <td class="num">{g.responses}</td>
                <td class="num">{percent(g.invited ? g.responses / g.invited : 0, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <h4>{fill(tr(A.invitees, lang), { n: progress.invitees.length })}</h4>
      <TableWrap label={fill(tr(A.invitees, lang), { n: progress.invitees.length })}>
        <table class="table compact" id="invitees">
          <HeaderRow labels={[tr(A.name, lang), tr(A.email, lang), tr(A.group, lang), tr(A.agency, lang), tr(A.invitationOpened, lang)]} />
          <tbody>
            {progress.invitees.map((p, i) => (
              <tr key={i}>
                <td>{p.name}</td>
                <td>{p.email}</td>
                <td>{groupName(p.group)}</td>
                <td>{p.agencyName}</td>
                <td>{tr(p.opened ? A.yes : A.no, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </>
  );
}
