/**
 * Service worker of the enumerator app: precaches the app shell and the built assets of the collect
 * entry (the list is written in at build time, see vite.config.ts) and serves them offline.
 * It caches no API response and holds no data: interviews live in IndexedDB, which no update of
 * this worker touches. Where the browser has Background Sync, it also sends the queue when the
 * network returns with the app closed (the same code and Web Lock as the page's sync, so a tab
 * and the worker never send at once). Registered as a module worker (main.tsx): it shares the
 * queue's modules with the page.
 */
import { getSetting } from "./db.js";
import { SYNC_TAG, syncFromStorage } from "./queue/sync.js";
import type { WorkerScope } from "../common/service-worker-scope.js";

const worker = self as unknown as WorkerScope;

// Replaced by the build: a hash of the precached files, and their URLs.
const VERSION = "__CHISO_SW_VERSION__";
const PRECACHE = "__CHISO_SW_PRECACHE__" as unknown as string[];

const PREFIX = "chiso-collect-";
const CACHE = PREFIX + VERSION;
const SHELL = "/collect.html";

worker.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // Straight from the server: a stale HTTP-cached shell would not match the new assets.
      await cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" })));
      // Take over at once; the page offers a reload, and its data is safe in IndexedDB meanwhile.
      await worker.skipWaiting();
    })(),
  );
});

worker.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      // Only this app's older caches go; nothing else of the origin's storage is touched.
      for (const key of await caches.keys()) if (key.startsWith(PREFIX) && key !== CACHE) await caches.delete(key);
      await worker.clients.claim();
    })(),
  );
});

worker.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  // The API always goes to the network: sync must see real failures, and nothing is cached.
  if (url.origin !== worker.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    if (url.pathname !== "/collect" && !url.pathname.startsWith("/collect/")) return;
    event.respondWith(fromCache(SHELL, request));
    return;
  }
  if (PRECACHE.includes(url.pathname)) event.respondWith(fromCache(url.pathname, request));
});

/** Cache first (the files are versioned by the build), the network if the cache was cleared. */
async function fromCache(key: string, request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  return (await cache.match(key)) ?? fetch(request);
}

worker.addEventListener("sync", (event) => {
  if (event.tag !== SYNC_TAG) return;
  event.waitUntil(
    (async () => {
      const outcome = await syncFromStorage(await getSetting<string>("deviceId"));
      // A failed attempt is handed back to the browser, which tries again later (with back-off).
      if (outcome?.problem?.kind === "retry" && !event.lastChance) throw new Error("sync failed; the browser will retry");
    })(),
  );
});
