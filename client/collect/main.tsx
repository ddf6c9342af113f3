/** Entry of the enumerator app (/collect): renders the app and registers its service worker for offline use. */
import { render } from "preact";
import "../common/styles.css";
import "./collect.css";
import { CollectApp } from "./app.js";

render(<CollectApp />, document.getElementById("app")!);

const WORKER = "/collect-sw.js";

/** The part of the Trusted Types API used here (not yet in TypeScript's DOM types). */
interface TrustedTypePolicyFactory {
  createPolicy(name: string, rules: { createScriptURL(url: string): string }): { createScriptURL(url: string): unknown };
}

/**
 * The Content-Security-Policy enforces Trusted Types (docs/security.md): a script URL must come from
 * a policy the server names. This one allows the service worker and nothing else.
 */
function workerUrl(): string {
  const factory = (window as { trustedTypes?: TrustedTypePolicyFactory }).trustedTypes;
  if (!factory) return WORKER;
  const policy = factory.createPolicy("chiso-service-worker", {
    createScriptURL: (url) => {
      if (url !== WORKER) throw new TypeError(`not the service worker: ${url}`);
      return url;
    },
  });
  return policy.createScriptURL(WORKER) as string;
}

// Scoped to /collect so that the respondent form and the dashboard stay outside its control; a
// module worker, because it imports the queue's code shared with the page.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register(workerUrl(), { scope: "/collect", type: "module" }).catch((e: unknown) => console.warn("service worker not registered", e));
}
