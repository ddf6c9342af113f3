/**
 * Browser security headers on every response (pages, API, static files): a strict Content-Security-Policy,
 * no framing, no MIME sniffing, no referrer, and HSTS when browsers reach chiso over HTTPS. Policy: docs/security.md.
 * Documents and service workers get the whole policy; every other response (scripts, styles, images,
 * API answers) gets the short one that forbids everything, since a policy governs only the document
 * or worker it arrives with — and the phone should not download 400 bytes of policy per file.
 */
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { isHttps } from "../config.js";

/**
 * The built client is plain files from this origin: no inline script or style element, no eval, no
 * third-party host. Preact's `style` prop writes CSSOM properties, which style-src does not govern,
 * so 'unsafe-inline' is not needed. Trusted Types leave no way to write HTML or script from a string.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'"],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  manifestSrc: ["'self'"],
  workerSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  requireTrustedTypesFor: ["'script'"],
  // The one policy the client creates: the enumerator app's service worker URL (client/collect/main.tsx).
  trustedTypes: ["chiso-service-worker"],
};

/** For responses that are neither a document nor a worker: if opened as a page, nothing may load or frame it. */
export const SUBRESOURCE_POLICY = "default-src 'none'; frame-ancestors 'none'";

/** Headers that only a document uses; left off other responses. */
const DOCUMENT_ONLY = ["Cross-Origin-Opener-Policy", "Origin-Agent-Cluster", "X-DNS-Prefetch-Control", "X-XSS-Protection"];

/** Service workers are served from the root (their scope), named `*-sw.js`. */
const WORKER_SCRIPT = /^\/[a-z0-9-]+-sw\.js$/;

/** One year; without includeSubDomains, since other hosts of the same domain are not ours to decide for. */
export const HSTS = "max-age=31536000";

export function securityHeaders(): MiddlewareHandler {
  const headers = secureHeaders({
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    xFrameOptions: "DENY",
    referrerPolicy: "no-referrer",
    xContentTypeOptions: "nosniff",
    // Set below, only when the public address is HTTPS: over plain HTTP the header would be wrong.
    strictTransportSecurity: false,
  });
  return async (c, next) => {
    await headers(c, next);
    if (isHttps()) c.res.headers.set("Strict-Transport-Security", HSTS);
    // A 304 updates the headers the browser stored with the page, so it keeps the whole policy.
    const document = c.res.status === 304 || (c.res.headers.get("content-type") ?? "").startsWith("text/html") || WORKER_SCRIPT.test(c.req.path);
    if (!document) {
      c.res.headers.set("Content-Security-Policy", SUBRESOURCE_POLICY);
      for (const name of DOCUMENT_ONLY) c.res.headers.delete(name);
    }
  };
}
