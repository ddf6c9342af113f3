/** The administration screens' view of the API: typed calls for rounds, invitations, accounts, units and the audit log. */
import { requestJson } from "../common/net.js";
import type { Text } from "../../shared/i18n.js";
import type { RoundSummary } from "../../shared/api/schemas.js";
import type { InvitationProgress } from "../../shared/api/invitations.js";

export type { RoundSummary };

export interface InstrumentInfo {
  id: string;
  version: string;
  versions: string[];
  title: Text;
}

export interface InstrumentDetail {
  id: string;
  version: string;
  unitLevel: string;
  respondentGroups: Array<{ code: string; label: Text }>;
}

export interface Registry {
  id: string;
  /** Vietnamese only, as stored; the screens show their own names for the known registries. */
  label: string;
  validFrom: string;
  validTo: string | null;
}

export interface UnitHit {
  key: string;
  code: string;
  fullName: string;
  level: string;
  matchedFormerName: string | null;
  /** Names of the ancestors, nearest first. */
  path: string[];
}

/** Completion of an invitation round: per invitee "opened", per group counts (shared/api/invitations.ts). */
export type Progress = InvitationProgress;

export interface Account {
  id: string;
  username: string;
  displayName: string;
  role: "admin" | "analyst" | "enumerator";
  disabled: boolean;
  unitScope: string[];
  rounds: string[];
  mustChangePassword: boolean;
}

export interface Device {
  id: string;
  label: string;
  created_at: string;
  revoked_at: string | null;
  expires_at: string | null;
  username: string;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  detail: unknown;
}

export interface NewRound {
  id: string;
  title: Text;
  edition: string;
  version: string;
  registry: string;
  scope: string[];
  groups: string[];
  modes: string[];
  minCellSize: number;
  periodStart: string | null;
  periodEnd: string | null;
}

export interface NewAccount {
  username: string;
  displayName: string;
  role: string;
  password: string;
  unitScope: string[];
  rounds: string[];
}

/** What POST /api/xlsform answers: the edition checked or stored. */
export interface XlsformImported {
  id: string;
  version: string;
  title: Text;
  outcome: "imported" | "unchanged";
  checked: boolean;
  withIndex: boolean;
}

const enc = encodeURIComponent;
/** The file's bytes as chosen: the server detects their encoding (UTF-8, UTF-16, Windows-1258), so the browser must not decode them. */
const csv = (file: Blob): RequestInit => ({ method: "POST", body: file, headers: { "content-type": "text/csv" } });

export const AUDIT_PAGE = 50;

export const api = {
  rounds: () => requestJson<{ rounds: RoundSummary[] }>("/api/rounds"),
  createRound: (round: NewRound) => requestJson<{ round: RoundSummary }>("/api/rounds", { json: round }),
  setRoundStatus: (id: string, status: "open" | "closed") =>
    requestJson<{ round: RoundSummary }>(`/api/rounds/${enc(id)}`, { method: "PATCH", json: { status } }),
  instruments: () => requestJson<{ instruments: InstrumentInfo[] }>("/api/instruments"),
  instrument: (id: string, version?: string) =>
    requestJson<{ instrument: InstrumentDetail }>(`/api/instruments/${enc(id)}${version ? `?version=${enc(version)}` : ""}`),
  registries: () => requestJson<{ registries: Registry[] }>("/api/units/registries"),
  searchUnits: (q: string, registry: string, limit = 20) =>
    requestJson<{ units: UnitHit[] }>(`/api/units?${new URLSearchParams({ q, registry, limit: String(limit) }).toString()}`),
  unit: (key: string) => requestJson<{ unit: { key: string; fullName: string } }>(`/api/units/${enc(key)}`),
  importUnits: (kind: string, registry: string, file: Blob) =>
    requestJson<{ rows: number; added: number; alreadyPresent: number }>(`/api/units/import?${new URLSearchParams({ kind, registry }).toString()}`, csv(file)),
  uploadInvitees: (round: string, file: Blob) => requestJson<{ imported: number }>(`/api/rounds/${enc(round)}/invitations`, csv(file)),
  linksUrl: (round: string, pending: boolean) => `/api/rounds/${enc(round)}/invitations/links.csv${pending ? "?pending=1" : ""}`,
  progress: (round: string) => requestJson<Progress>(`/api/rounds/${enc(round)}/invitations/progress`),
  users: () => requestJson<{ users: Account[] }>("/api/users"),
  createUser: (user: NewAccount) => requestJson<{ user: Account }>("/api/users", { json: user }),
  setUserDisabled: (id: string, disabled: boolean) => requestJson<{ user: Account }>(`/api/users/${enc(id)}`, { method: "PATCH", json: { disabled } }),
  resetPassword: (id: string, password: string) => requestJson<{ user: Account }>(`/api/users/${enc(id)}/password`, { method: "PUT", json: { password } }),
  devices: () => requestJson<{ devices: Device[] }>("/api/devices"),
  revokeDevice: (id: string) => requestJson<{ ok: true }>(`/api/devices/${enc(id)}`, { method: "DELETE" }),
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
  audit: (before?: string) => requestJson<{ entries: AuditEntry[] }>(`/api/audit?limit=${AUDIT_PAGE}${before ? `&before=${enc(before)}` : ""}`),
};

/** The registry new rounds use by default: the one still valid. */
export function currentRegistry(registries: Registry[]): string {
  return registries.find((r) => r.validTo === null)?.id ?? registries[registries.length - 1]?.id ?? "";
}
