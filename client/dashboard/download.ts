/**
 * Downloads that say why they failed: the file is fetched first, so that a refusal (403 for raw
 * data, 400 for a bad parameter) shows the server's message instead of a download silently
 * cancelled by the browser; a success is saved under the server's file name.
 */
import { HttpError } from "../common/net.js";
import type { ProblemBody } from "../../shared/errors.js";

/** Fetches `url` and saves the body; throws HttpError (with the problem body when there is one) on failure. */
export async function downloadFile(url: string, fallbackName: string): Promise<string> {
  const res = await fetch(url, { credentials: "same-origin" });
  if (!res.ok) {
    let body: Partial<ProblemBody> | null = null;
    try {
      body = (await res.json()) as Partial<ProblemBody>;
    } catch {
      // Not JSON (a proxy's page): the status is all there is.
    }
    throw new HttpError(res.status, body);
  }
  const name = fileNameOf(res.headers.get("content-disposition")) ?? fallbackName;
  saveBlob(await res.blob(), name);
  return name;
}

/** The file name of a Content-Disposition header: the UTF-8 `filename*` when given, else `filename`. */
export function fileNameOf(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1]!.trim());
    } catch {
      // A malformed escape: fall back to the plain name.
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(header);
  return plain ? plain[1]!.trim() : null;
}

/** Hands a blob to the browser as a download. */
export function saveBlob(blob: Blob, name: string): void {
  const href = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = href;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // The browser has taken the blob once the click is handled; release it a little later.
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
