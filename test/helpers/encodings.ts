/** Byte fixtures of CSV files as spreadsheets save them, built with iconv-lite. */
import iconv from "iconv-lite";

/** Vietnamese as Windows writes it in code page 1258: base letter (with its vowel mark), then the tone as a combining mark. */
export function windows1258Bytes(text: string): Buffer {
  const TONES = /[\u0300\u0301\u0303\u0309\u0323]/g;
  const spelled = [...text.normalize("NFC")]
    .map((ch) => {
      const parts = ch.normalize("NFD");
      return parts.replace(TONES, "").normalize("NFC") + (parts.match(TONES)?.join("") ?? "");
    })
    .join("");
  const bytes = iconv.encode(spelled, "windows1258");
  // Every character had a byte of its own: nothing was replaced by "?".
  if (iconv.decode(bytes, "windows1258") !== spelled) throw new Error(`not representable in Windows-1258: ${text}`);
  return bytes;
}

/** The same text in each encoding an import must read: UTF-8, UTF-8 with BOM, UTF-16LE with BOM, Windows-1258. */
export function encodedFixtures(text: string): Array<[string, Buffer]> {
  return [
    ["UTF-8", Buffer.from(text, "utf8")],
    ["UTF-8 with BOM", Buffer.from("\uFEFF" + text, "utf8")],
    ["UTF-16LE with BOM", iconv.encode(text, "utf16le", { addBOM: true })],
    ["Windows-1258", windows1258Bytes(text)],
  ];
}

/** "Thôn Phú Lộc" in TCVN3 (ABC), an 8-bit Vietnamese encoding that cannot be told apart from others: refused. */
export const TCVN3_THON_PHU_LOC = Buffer.from("Th\xabn Ph\xf3 L\xe9c", "latin1");
