/** What every request handler can reach: the database and the server's settings. */
import type { Db } from "./db/database.js";
import type { UnitDirectory } from "./units/directory.js";
import type { ResponseStore } from "./responses/store.js";
import type { RateLimits } from "./http/rate-limit.js";

export interface ServerSettings {
  /** Folder with the built client (vite build output); absent = API only. */
  clientDir: string | null;
  /** Cells with fewer respondents than this show no value (small-group protection). */
  minCellSize: number;
}

export interface AppContext {
  db: Db;
  units: UnitDirectory;
  store: ResponseStore;
  rateLimits: RateLimits;
  settings: ServerSettings;
  /** Rounds read in the last second, by id (server/responses/prepare.ts); this app's own, made on first use. */
  roundCache?: Map<string, { round: import("./rounds/repository.js").Round | null; at: number; epoch: number }>;
}

export interface AppEnv {
  Variables: { ctx: AppContext; principal: import("./http/access.js").Principal | null | undefined };
}
