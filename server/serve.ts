/** Runs the HTTP server until SIGINT/SIGTERM; pending writes finish before the database closes. */
import { serve, type ServerType } from "@hono/node-server";
import { createApp } from "./app.js";
import type { AppContext } from "./app-context.js";

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * HEAD is answered as the GET it stands for, with the GET's headers (security headers included) and
 * no body. Left to the Node adapter, a HEAD lost the headers that middleware adds after the handler.
 */
export function headAsGet(fetchApp: (request: Request) => Response | Promise<Response>) {
  return async (request: Request): Promise<Response> => {
    if (request.method !== "HEAD") return fetchApp(request);
    const res = await fetchApp(new Request(request.url, { method: "GET", headers: request.headers }));
    // Read the headers first: touching the body or statusText of the adapter's lightweight Response
    // rebuilds it from the handler's first headers, without those middleware added afterwards.
    const headers = new Headers(res.headers);
    const head = new Response(null, { status: res.status, headers });
    await res.body?.cancel();
    return head;
  };
}

export function listen(ctx: AppContext, port: number, host: string): Promise<RunningServer> {
  const app = createApp(ctx);
  return new Promise((resolve) => {
    const server: ServerType = serve({ fetch: headAsGet((request) => app.fetch(request)), port, hostname: host }, (info) => {
      const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${info.port}`;
      resolve({
        url,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
  });
}
