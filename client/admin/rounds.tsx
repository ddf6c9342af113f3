/** The rounds tab: every round with its status, opening and closing with a confirmation, and the form that creates a round. */
import { useEffect, useState } from "preact/hooks";
import { fill, tr, type Lang } from "../common/i18n.js";
import { HeaderRow, Notice } from "../common/ui.js";
import { api, currentRegistry, type InstrumentInfo, type Registry, type RoundSummary } from "./api.js";
import {
  Check,
  Field,
  FieldGroup,
  FormFailure,
  Show,
  TableWrap,
  UnitChooser,
  levelName,
  messageOf,
  useAsync,
  useConfirm,
  useSubmission,
  useUnitNames,
  type ChosenUnit,
} from "./common.js";
import { A } from "./strings.js";
import type { TabProps } from "./app.js";

const MODES = ["public", "enumerator", "invitation"] as const;

type Message = { kind: "ok" | "error"; text: string } | null;

export function RoundsTab({ lang, navigate }: TabProps) {
  const [catalogue, reload] = useAsync(async () => {
    const [{ rounds }, { instruments }, { registries }] = await Promise.all([api.rounds(), api.instruments(), api.registries()]);
    return { rounds, instruments, registries };
  });
  const [message, setMessage] = useState<Message>(null);
  const [formOpen, setFormOpen] = useState(false);
  const [dialog, ask] = useConfirm(lang);

  const setStatus = (round: RoundSummary, status: "open" | "closed") => {
    const title = tr(round.title, lang);
    ask(
      fill(tr(status === "open" ? A.openConfirm : A.closeConfirm, lang), { title }),
      tr(status === "open" ? A.open : A.close, lang),
      () => {
        api.setRoundStatus(round.id, status).then(
          () => {
            setMessage({ kind: "ok", text: fill(tr(status === "open" ? A.opened : A.closed, lang), { title }) });
            reload();
          },
          (e: unknown) => setMessage({ kind: "error", text: messageOf(e, lang) }),
        );
      },
      status === "closed",
    );
  };

  return (
    <Show value={catalogue} lang={lang}>
      {({ rounds, instruments, registries }) => (
        <>
          {message && <Notice kind={message.kind}>{message.text}</Notice>}
          {rounds.length === 0 ? <p>{tr(A.noRounds, lang)}</p> : <RoundTable rounds={rounds} lang={lang} onStatus={setStatus} navigate={navigate} />}
          {dialog}
          <div class="section-head">
            <h3 id="new-round-title">{tr(A.newRound, lang)}</h3>
            <button
              type="button"
              class="btn secondary small"
              aria-expanded={formOpen}
              aria-controls={formOpen ? "new-round" : undefined}
              onClick={() => setFormOpen(!formOpen)}
            >
              {tr(formOpen ? A.hideForm : A.newRound, lang)}
            </button>
          </div>
          {formOpen && (
            <RoundForm
              lang={lang}
              instruments={instruments}
              registries={registries}
              onCreated={(round) => {
                setFormOpen(false);
                setMessage({ kind: "ok", text: fill(tr(A.roundCreated, lang), { title: tr(round.title, lang) }) });
                reload();
              }}
            />
          )}
        </>
      )}
    </Show>
  );
}

function RoundTable({
  rounds,
  lang,
  onStatus,
  navigate,
}: {
  rounds: RoundSummary[];
  lang: Lang;
  onStatus(round: RoundSummary, status: "open" | "closed"): void;
  navigate(path: string): void;
}) {
  const unitName = useUnitNames(rounds.flatMap((r) => r.scope));
  return (
    <TableWrap label={tr(A.roundsTitle, lang)}>
      <table class="table rounds">
        <HeaderRow
          labels={[tr(A.roundTitle, lang), tr(A.questionnaire, lang), tr(A.status, lang), tr(A.modes, lang), tr(A.scope, lang), tr(A.actions, lang)]}
        />
        <tbody>
          {rounds.map((r) => {
            const title = tr(r.title, lang);
            const invitationsPath = `/admin/invitations?round=${encodeURIComponent(r.id)}`;
            return (
              <tr key={r.id} data-round={r.id}>
                <td>
                  <strong>{title}</strong>
                  <span class="detail">
                    <code>{r.id}</code>
                  </span>
                </td>
                <td>
                  <span class="clamp" title={tr(r.instrument.title, lang)}>
                    {tr(r.instrument.title, lang)}
                  </span>
                  <span class="detail">
                    {r.instrument.id} · {tr(A.version, lang)} {r.instrument.version} ·{" "}
                    <a
                      href={api.xlsformUrl(r.instrument.id, r.instrument.version)}
                      download
                      aria-label={fill(tr(A.downloadXlsformOf, lang), { title: tr(r.instrument.title, lang) })}
                    >
                      XLSForm
                    </a>
                  </span>
                </td>
                <td>
                  <span class={`badge ${r.status}`}>{A.statuses[r.status] ? tr(A.statuses[r.status]!, lang) : r.status}</span>
                </td>
                <td>{r.modes.map((m) => (A.modeNames[m] ? tr(A.modeNames[m]!, lang) : m)).join(", ")}</td>
                <td>{r.scope.length ? r.scope.map(unitName).join("; ") : tr(A.wholeCountry, lang)}</td>
                <td>
                  <div class="row-actions">
                    {r.status === "open" ? (
                      <button type="button" class="btn danger small" aria-label={`${tr(A.close, lang)}: ${title}`} onClick={() => onStatus(r, "closed")}>
                        {tr(A.close, lang)}
                      </button>
                    ) : (
                      <button type="button" class="btn small" aria-label={`${tr(A.open, lang)}: ${title}`} onClick={() => onStatus(r, "open")}>
                        {tr(A.open, lang)}
                      </button>
                    )}
                    {r.modes.includes("invitation") && (
                      <a
                        class="btn secondary small"
                        href={invitationsPath}
                        aria-label={`${tr(A.manageInvitations, lang)}: ${title}`}
                        onClick={(e) => {
                          if (e.ctrlKey || e.metaKey || e.shiftKey) return;
                          e.preventDefault();
                          navigate(invitationsPath);
                        }}
                      >
                        {tr(A.manageInvitations, lang)}
                      </a>
                    )}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableWrap>
  );
}

/** Which form field a server error path belongs to ("title.en" → the English title, "scope.2" → scope). */
function fieldOf(path: string): string | null {
  const head = path.split(".")[0] ?? "";
  if (head === "title") return path === "title.en" ? "titleEn" : "titleVi";
  if (head === "version") return "edition";
  return ["id", "edition", "registry", "scope", "groups", "modes", "minCellSize", "periodStart", "periodEnd"].includes(head) ? head : null;
}

function RoundForm({
  lang,
  instruments,
  registries,
  onCreated,
}: {
  lang: Lang;
  instruments: InstrumentInfo[];
  registries: Registry[];
  onCreated(round: RoundSummary): void;
}) {
  const [id, setId] = useState("");
  const [titleVi, setTitleVi] = useState("");
  const [titleEn, setTitleEn] = useState("");
  const [edition, setEdition] = useState(instruments[0]?.id ?? "");
  const info = instruments.find((i) => i.id === edition);
  const [version, setVersion] = useState(info?.version ?? "");
  const [registry, setRegistry] = useState(currentRegistry(registries));
  const [scope, setScope] = useState<ChosenUnit[]>([]);
  const [groups, setGroups] = useState<string[]>([]);
  const [modes, setModes] = useState<RoundSummary["modes"]>([]);
  const [minCellSize, setMinCellSize] = useState("5");
  const [periodStart, setPeriodStart] = useState("");
  const [periodEnd, setPeriodEnd] = useState("");
  const { form, busy, failure, submit, byField, other } = useSubmission(lang, fieldOf);

  // Respondent groups and the answering unit come with the chosen questionnaire version.
  const [detail] = useAsync(() => (edition ? api.instrument(edition, version).then((r) => r.instrument) : Promise.resolve(null)), `${edition}@${version}`);
  useEffect(() => {
    if (detail.state !== "ok" || !detail.data) return;
    setGroups(detail.data.respondentGroups.map((g) => g.code));
    // The leader survey goes out by invitation; the citizen surveys are answered online or with enumerators.
    setModes(detail.data.unitLevel === "agency" ? ["invitation"] : ["public", "enumerator"]);
  }, [detail.state === "ok" ? detail.data : null]);

  const toggle = <T extends string>(list: T[], value: T, on: boolean) => (on ? [...list.filter((x) => x !== value), value] : list.filter((x) => x !== value));

  const send = async () => {
    const res = await api.createRound({
      id: id.trim(),
      title: { vi: titleVi.trim(), en: titleEn.trim() },
      edition,
      version,
      registry,
      scope: scope.map((u) => u.key),
      groups,
      modes,
      minCellSize: Number(minCellSize),
      periodStart: periodStart || null,
      periodEnd: periodEnd || null,
    });
    onCreated(res.round);
  };

  const groupsOfEdition = detail.state === "ok" && detail.data ? detail.data.respondentGroups : [];
  return (
    <form ref={form} id="new-round" class="card form-grid" aria-labelledby="new-round-title" onSubmit={submit(send)} noValidate>
      <FormFailure failure={failure} other={other} lang={lang} />
      <Field id="round-id" label={tr(A.roundId, lang)} hint={tr(A.roundIdHint, lang)} errors={byField.id} lang={lang}>
        {(aria) => (
          <input
            {...aria}
            class="input"
            name="id"
            required
            autoComplete="off"
            spellcheck={false}
            value={id}
            onInput={(e) => setId((e.currentTarget as HTMLInputElement).value)}
          />
        )}
      </Field>
      <div class="spacer" />
      <Field id="round-title-vi" label={tr(A.titleVi, lang)} errors={byField.titleVi} lang={lang}>
        {(aria) => (
          <input
            {...aria}
            class="input"
            name="titleVi"
            lang="vi"
            required
            value={titleVi}
            onInput={(e) => setTitleVi((e.currentTarget as HTMLInputElement).value)}
          />
        )}
      </Field>
      <Field id="round-title-en" label={tr(A.titleEn, lang)} errors={byField.titleEn} lang={lang}>
        {(aria) => (
          <input
            {...aria}
            class="input"
            name="titleEn"
            lang="en"
            required
            value={titleEn}
            onInput={(e) => setTitleEn((e.currentTarget as HTMLInputElement).value)}
          />
        )}
      </Field>
      <div class="wide">
        <Field
          id="round-edition"
          label={tr(A.questionnaire, lang)}
          hint={
            detail.state === "ok" && detail.data
              ? fill(tr(A.unitLevel, lang), { level: levelName(detail.data.unitLevel, lang).toLocaleLowerCase(lang) })
              : undefined
          }
          errors={byField.edition}
          lang={lang}
        >
          {(aria) => (
            <div class="inline">
              <select
                {...aria}
                class="input"
                name="edition"
                value={edition}
                onChange={(e) => {
                  const next = (e.currentTarget as HTMLSelectElement).value;
                  setEdition(next);
                  setVersion(instruments.find((i) => i.id === next)?.version ?? "");
                }}
              >
                {instruments.map((i) => (
                  <option key={i.id} value={i.id}>
                    {tr(i.title, lang)}
                  </option>
                ))}
              </select>
              {info && info.versions.length > 1 ? (
                <select
                  class="input narrow"
                  name="version"
                  aria-label={tr(A.version, lang)}
                  value={version}
                  onChange={(e) => setVersion((e.currentTarget as HTMLSelectElement).value)}
                >
                  {info.versions.map((v) => (
                    <option key={v} value={v}>
                      {v}
                    </option>
                  ))}
                </select>
              ) : (
                <span class="muted nowrap">
                  {tr(A.version, lang)} {version}
                </span>
              )}
            </div>
          )}
        </Field>
      </div>
      <Field id="round-registry" label={tr(A.registry, lang)} errors={byField.registry} lang={lang}>
        {(aria) => (
          <select
            {...aria}
            class="input"
            name="registry"
            value={registry}
            onChange={(e) => {
              setRegistry((e.currentTarget as HTMLSelectElement).value);
              setScope([]); // units of another registry do not belong to this one
            }}
          >
            {registries.map((r) => (
              <option key={r.id} value={r.id}>
                {A.registries[r.id] ? tr(A.registries[r.id]!, lang) : r.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div class="spacer" />
      <div class="wide">
        <UnitChooser
          id="round-scope"
          label={tr(A.scope, lang)}
          hint={tr(A.scopeHint, lang)}
          registry={registry}
          value={scope}
          errors={byField.scope}
          lang={lang}
          onChange={setScope}
        />
      </div>
      <FieldGroup id="round-groups" legend={tr(A.groups, lang)} errors={byField.groups} lang={lang}>
        {groupsOfEdition.map((g) => (
          <Check
            key={g.code}
            name="groups"
            value={g.code}
            checked={groups.includes(g.code)}
            label={tr(g.label, lang)}
            onChange={(on) => setGroups(toggle(groups, g.code, on))}
          />
        ))}
      </FieldGroup>
      <FieldGroup id="round-modes" legend={tr(A.modes, lang)} errors={byField.modes} lang={lang}>
        {MODES.map((m) => (
          <Check
            key={m}
            name="modes"
            value={m}
            checked={modes.includes(m)}
            label={tr(A.modeNames[m]!, lang)}
            onChange={(on) => setModes(toggle(modes, m, on))}
          />
        ))}
      </FieldGroup>
      <Field id="round-min-cell" label={tr(A.minCellSize, lang)} hint={tr(A.minCellSizeHint, lang)} errors={byField.minCellSize} lang={lang}>
        {(aria) => (
          <input
            {...aria}
            class="input number"
            name="minCellSize"
            type="number"
            inputMode="numeric"
            min={1}
            step={1}
            value={minCellSize}
            onInput={(e) => setMinCellSize((e.currentTarget as HTMLInputElement).value)}
          />
        )}
      </Field>
      <div class="pair">
        <Field id="round-start" label={tr(A.periodStart, lang)} optional errors={byField.periodStart} lang={lang}>
          {(aria) => (
            <input
              {...aria}
              class="input"
              name="periodStart"
              type="date"
              value={periodStart}
              onInput={(e) => setPeriodStart((e.currentTarget as HTMLInputElement).value)}
            />
          )}
        </Field>
        <Field id="round-end" label={tr(A.periodEnd, lang)} optional errors={byField.periodEnd} lang={lang}>
          {(aria) => (
            <input
              {...aria}
              class="input"
              name="periodEnd"
              type="date"
              value={periodEnd}
              onInput={(e) => setPeriodEnd((e.currentTarget as HTMLInputElement).value)}
            />
          )}
        </Field>
      </div>
      <div class="wide actions">
        <button type="submit" class="btn" disabled={busy}>
          {tr(A.createRound, lang)}
        </button>
      </div>
    </form>
  );
}
