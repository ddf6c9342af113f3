/** CSV reading and writing: RFC 4180 quoting, UTF-8 with BOM on output so Excel shows diacritics. */

export const BOM = "\uFEFF";

export function csvField(value: unknown, separator = ","): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return /["\r\n]/.test(text) || text.includes(separator) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly unknown[], separator = ","): string {
  return values.map((v) => csvField(v, separator)).join(separator) + "\r\n";
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly unknown[]>, separator = ","): string {
  return BOM + csvLine(header, separator) + rows.map((r) => csvLine(r, separator)).join("");
}

/**
 * Parses CSV with a header row into records keyed by lower-case header names. Accepts a BOM,
 * `,` or `;` (detected from the header), quoted fields with embedded separators and newlines.
 * `lines` gives each record's line number in the file, for error messages.
 */
export function parseCsv(text: string): { rows: Array<Record<string, string>>; lines: number[] } {
  const source = text.replace(/^\uFEFF/, "").normalize("NFC");
  const firstLine = source.split(/\r?\n/, 1)[0] ?? "";
  const separator = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ";" : ",";
  const records: Array<{ fields: string[]; line: number }> = [];
  let field = "";
  let fields: string[] = [];
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (quoted) {
      if (ch === '"' && source[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === "\n") line++;
        field += ch;
      }
    } else if (ch === '"' && field === "") quoted = true;
    else if (ch === separator) {
      fields.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && source[i + 1] === "\n") i++;
      fields.push(field);
      if (fields.some((f) => f !== "")) records.push({ fields, line: recordLine });
      fields = [];
      field = "";
      line++;
      recordLine = line;
    } else field += ch;
  }
  fields.push(field);
  if (fields.some((f) => f !== "")) records.push({ fields, line: recordLine });
  const [header, ...body] = records;
  if (!header) return { rows: [], lines: [] };
  const names = header.fields.map((h) => h.trim().toLowerCase());
  return {
    rows: body.map((r) => Object.fromEntries(names.map((n, i) => [n, (r.fields[i] ?? "").trim()]))),
    lines: body.map((r) => r.line),
  };
}
