/** Text helpers without dependencies, safe for the lightest client bundles. */

/** Lower-case, strip diacritics (đ → d): "Thừa Thiên Huế" → "thua thien hue". Used for search everywhere. */
export function foldVietnamese(s: string): string {
  return s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/đ/g, "d")
    .replace(/Đ/g, "D")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
}
