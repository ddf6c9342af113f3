/**
 * File names of results downloads: round, what the table is, unit, group, breakdown. Two forms for
 * Content-Disposition: an ASCII one (`filename`, every client) and the same words with their
 * Vietnamese letters (`filename*`, RFC 5987, which browsers prefer).
 */
import type { Lang, Text } from "../../shared/i18n.js";
import type { UnitRef } from "../../shared/results/types.js";
import { ownName, unitLevelName } from "./appendix.js";

/** Vietnamese letters without their marks (đ → d), anything else not safe in a file name → "-". */
export function asciiName(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/đ/g, "d")
    .replace(/Đ/g, "D")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
}

/** Letters of any language kept, characters a file system or a header refuses replaced. */
function utf8Name(text: string): string {
  return text
    .normalize("NFC")
    .replace(/[\\/:*?"<>|;]+/g, "-")
    .replace(/\p{Cc}+/gu, "")
    .replace(/\s+/g, " ")
    .trim();
}

export function exportFileName(p: {
  round: string;
  lang: Lang;
  ext: string;
  unit: UnitRef | null;
  group: { code: string; label: Text } | null;
  by: string | null;
  peers: string | null;
}): { ascii: string; utf8: string } {
  const what = p.lang === "vi" ? "ket-qua" : "results";
  const whatUtf8 = p.lang === "vi" ? "kết quả" : "results";
  const byText = p.by ? (p.lang === "vi" ? `theo ${unitLevelName(p.by, "vi").toLowerCase()}` : `by ${p.by}`) : null;
  const parts = [p.round, whatUtf8, p.unit ? ownName(p.unit) : null, p.group ? p.group.label[p.lang] : null, byText, p.peers];
  const asciiParts = [
    p.round,
    what,
    p.unit ? ownName(p.unit) : null,
    p.group?.code ?? null,
    p.by ? `${p.lang === "vi" ? "theo" : "by"}-${p.by}` : null,
    p.peers,
  ];
  const ascii = asciiParts
    .filter(Boolean)
    .map((x) => asciiName(x!))
    .join("_");
  const utf8 = parts
    .filter(Boolean)
    .map((x) => utf8Name(x!))
    .join(" - ");
  return { ascii: `${ascii}.${p.ext}`, utf8: `${utf8}.${p.ext}` };
}
