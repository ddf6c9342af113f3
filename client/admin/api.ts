/** The administration screens' view of the API: typed calls for rounds, invitations, accounts, units and the audit log. */
import { requestJson } from "../common/net.js";
import type { AccountList, AccountReply, AuditEntry, AuditList, Device, DeviceList, NewUser, Ok } from "../../shared/api/accounts.js";
import type { InviteesImported, InvitationProgress } from "../../shared/api/invitations.js";
import type { EditionDetail, EditionList, EditionSummary, XlsformImported } from "../../shared/api/instruments.js";
import type { NewRound, RoundList, RoundReply, RoundStatusChange, RoundSummary } from "../../shared/api/rounds.js";
import type { Registry, RegistryList, UnitDetail, UnitImport, UnitSearch } from "../../shared/api/units.js";

// The screens' names for the shared payloads (shared/api/): the types are the server's, never restated here.
export type { Account } from "../../shared/api/accounts.js";
export type { UnitHit } from "../../shared/api/units.js";
export type { AuditEntry, Device, Registry, RoundSummary };
export type InstrumentInfo = EditionSummary;
/** Completion of an invitation round: per invitee "opened", per group counts. */
export type Progress = InvitationProgress;

const enc = encodeURIComponent;
/** The file's bytes as chosen: the server detects their encoding (UTF-8, UTF-16, Windows-1258), so the browser must not decode them. */
const csv = (file: Blob): RequestInit => ({ method: "POST", body: file, headers: { "content-type": "text/csv" } });

export const AUDIT_PAGE = 50;

export const api = {
  rounds: () => requestJson<RoundList>("/api/rounds"),
  createRound: (round: NewRound) => requestJson<RoundReply>("/api/rounds", { json: round }),
  setRoundStatus: (id: string, status: "open" | "closed") =>
    requestJson<RoundReply>(`/api/rounds/${enc(id)}`, { method: "PATCH", json: { status } satisfies RoundStatusChange }),
  instruments: () => requestJson<EditionList>("/api/instruments"),
  instrument: (id: string, version?: string) => requestJson<EditionDetail>(`/api/instruments/${enc(id)}${version ? `?version=${enc(version)}` : ""}`),
  registries: () => requestJson<RegistryList>("/api/units/registries"),
  searchUnits: (q: string, registry: string, limit = 20) =>
    requestJson<UnitSearch>(`/api/units?${new URLSearchParams({ q, registry, limit: String(limit) }).toString()}`),
  unit: (key: string) => requestJson<UnitDetail>(`/api/units/${enc(key)}`),
  importUnits: (kind: string, registry: string, file: Blob) =>
    requestJson<UnitImport>(`/api/units/import?${new URLSearchParams({ kind, registry }).toString()}`, csv(file)),
  uploadInvitees: (round: string, file: Blob) => requestJson<InviteesImported>(`/api/rounds/${enc(round)}/invitations`, csv(file)),
  linksUrl: (round: string, pending: boolean) => `/api/rounds/${enc(round)}/invitations/links.csv${pending ? "?pending=1" : ""}`,
  progress: (round: string) => requestJson<Progress>(`/api/rounds/${enc(round)}/invitations/progress`),
  users: () => requestJson<AccountList>("/api/users"),
  createUser: (user: NewUser) => requestJson<AccountReply>("/api/users", { json: user }),
  setUserDisabled: (id: string, disabled: boolean) => requestJson<AccountReply>(`/api/users/${enc(id)}`, { method: "PATCH", json: { disabled } }),
  resetPassword: (id: string, password: string) => requestJson<AccountReply>(`/api/users/${enc(id)}/password`, { method: "PUT", json: { password } }),
  devices: () => requestJson<DeviceList>("/api/devices"),
  revokeDevice: (id: string) => requestJson<Ok>(`/api/devices/${enc(id)}`, { method: "DELETE" }),
  /** Sends the workbook (and index.json) as multipart: the browser never decodes the files. */
  importXlsform: (file: Blob, index: Blob | null, params: { id?: string; version?: string; check: boolean }) => {
    const body = new FormData();
    body.append("file", file, file instanceof File ? file.name : "form.xlsx");
    if (index) body.append("index", index, "index.json");
    const query = new URLSearchParams({
      ...(params.id ? { id: params.id } : {}),
      ...(params.version ? { version: params.version } : {}),
      ...(params.check ? { check: "1" } : {}),
    });
    return requestJson<XlsformImported>(`/api/xlsform?${query.toString()}`, { method: "POST", body });
  },
  xlsformUrl: (id: string, version?: string) => `/api/xlsform/${enc(id)}${version ? `?version=${enc(version)}` : ""}`,
  audit: (before?: string) => requestJson<AuditList>(`/api/audit?limit=${AUDIT_PAGE}${before ? `&before=${enc(before)}` : ""}`),
};

/** The registry new rounds use by default: the one still valid. */
export function currentRegistry(registries: Registry[]): string {
  return registries.find((r) => r.validTo === null)?.id ?? registries[registries.length - 1]?.id ?? "";
}
