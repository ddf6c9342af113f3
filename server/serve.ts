/** Runs the HTTP server until SIGINT/SIGTERM; pending writes finish before the database closes. */
import { serve, type ServerType } from "@hono/node-server";
import { createApp } from "./app.js";
import type { AppContext } from "./app-context.js";

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export function listen(ctx: AppContext, port: number, host: string): Promise<RunningServer> {
  const app = createApp(ctx);
  return new Promise((resolve) => {
    const server: ServerType = serve({ fetch: app.fetch, port, hostname: host }, (info) => {
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
