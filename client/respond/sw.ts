/**
 * Service worker of the respondent form (/r/…): precaches the form's page and the built assets of
 * the respond entry (the list is written in at build time, see vite.config.ts), and keeps the last
 * copy of each round's form definition, so that a page reloaded without a connection opens the
 * form again, with the draft the page keeps in localStorage. It caches nothing else of the API:
 * submissions and unit searches always go to the network, and fail visibly when it is gone.
 */
import type { WorkerScope } from "../common/service-worker-scope.js";

const worker = self as unknown as WorkerScope;

// Replaced by the build: a hash of the precached files, and their URLs.
const VERSION = "__CHISO_SW_VERSION__";
const PRECACHE = "__CHISO_SW_PRECACHE__" as unknown as string[];

const PREFIX = "chiso-respond-";
const CACHE = PREFIX + VERSION;
/** Form definitions outlive an app update: a draft must still open offline after one. */
const FORMS = "chiso-respond-forms";
const SHELL = "/respond.html";
/** The public form of a round; an invitation's form (/api/invitations/…) is personal and not kept. */
const FORM_API = /^\/api\/rounds\/[^/]+\/form$/;

worker.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // Straight from the server: a stale HTTP-cached shell would not match the new assets.
      await cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" })));
      // The respondent's draft is in localStorage, untouched by an update: take over at once.
      await worker.skipWaiting();
    })(),
  );
});

worker.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key.startsWith(PREFIX) && key !== CACHE && key !== FORMS) await caches.delete(key);
      await worker.clients.claim();
    })(),
  );
});

worker.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== worker.location.origin) return;
  if (request.mode === "navigate") {
    if (url.pathname.startsWith("/r/")) event.respondWith(fromCache(SHELL, request));
    return;
  }
  if (FORM_API.test(url.pathname)) {
    event.respondWith(networkThenCache(request));
    return;
  }
  if (PRECACHE.includes(url.pathname)) event.respondWith(fromCache(url.pathname, request));
});

/** Cache first (the files are versioned by the build), the network if the cache was cleared. */
async function fromCache(key: string, request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  return (await cache.match(key)) ?? fetch(request);
}

/**
 * The network first, so that a changed round (closed, narrowed) is seen as soon as it can be; a
 * successful answer is kept, and given back only when the network cannot be reached at all. A
 * refusal (404, 410) is the server's word and passes through, and removes the kept copy.
 */
async function networkThenCache(request: Request): Promise<Response> {
  const cache = await caches.open(FORMS);
  const key = new URL(request.url).pathname;
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(key, response.clone());
    else if (response.status >= 400 && response.status < 500) await cache.delete(key);
    return response;
  } catch (e) {
    const kept = await cache.match(key);
    if (kept) return kept;
    throw e;
  }
}
