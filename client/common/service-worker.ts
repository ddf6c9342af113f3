/**
 * Registering an app's service worker under the Content-Security-Policy, which enforces Trusted
 * Types (docs/security.md): a script URL must come from the one policy the server names,
 * "chiso-service-worker", and that policy allows exactly the worker given and nothing else.
 */

/** The part of the Trusted Types API used here (not yet in TypeScript's DOM types). */
interface TrustedTypePolicyFactory {
  createPolicy(name: string, rules: { createScriptURL(url: string): string }): { createScriptURL(url: string): unknown };
}

function trustedWorkerUrl(worker: string): string {
  const factory = (window as { trustedTypes?: TrustedTypePolicyFactory }).trustedTypes;
  if (!factory) return worker;
  const policy = factory.createPolicy("chiso-service-worker", {
    createScriptURL: (url) => {
      if (url !== worker) throw new TypeError(`not the service worker: ${url}`);
      return url;
    },
  });
  return policy.createScriptURL(worker) as string;
}

/** Registers the worker where the browser has service workers; a refusal is logged, never fatal. */
export function registerServiceWorker(worker: string, options: RegistrationOptions): void {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register(trustedWorkerUrl(worker), options).catch((e: unknown) => console.warn("service worker not registered", e));
}
