/** Settings from the environment, with the defaults a fresh install runs on. */
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface Config {
  databaseUrl: string | undefined;
  sqlitePath: string;
  port: number;
  host: string;
  surveysDir: string;
  clientDir: string;
  minCellSize: number;
  demoResponses: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    sqlitePath: path.resolve(env.CHISO_DB ?? path.join("data", "chiso.db")),
    port: Number(env.PORT ?? 3000),
    host: env.HOST ?? "127.0.0.1",
    surveysDir: path.resolve(env.CHISO_SURVEYS ?? path.join(REPO_ROOT, "surveys")),
    clientDir: path.resolve(env.CHISO_CLIENT_DIR ?? path.join(REPO_ROOT, "dist")),
    minCellSize: Number(env.CHISO_MIN_CELL ?? 5),
    demoResponses: Number(env.CHISO_DEMO_RESPONSES ?? 300),
  };
}

/**
 * Whether browsers reach chiso over HTTPS: CHISO_PUBLIC_URL (the address people open, also used in
 * invitation links) starts with https://. Read at call time, so one answer serves every caller
 * (session cookie name and flags, Strict-Transport-Security).
 */
export function isHttps(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^https:\/\//i.test(env.CHISO_PUBLIC_URL?.trim() ?? "");
}
