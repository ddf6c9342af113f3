/**
 * Vitest global set-up: prepares one SQLite file and one PostgreSQL database the way a first start
 * does (migrations, every questionnaire in surveys/, the unit registries, the demo units), once per
 * run, so that each test server copies it instead of doing that work again. Removed at the end.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { openContext, prepareDatabase } from "../../server/bootstrap.js";
import { REPO_ROOT } from "../../server/config.js";
import { ensureDemoUnits } from "../../server/demo/seed.js";
import { PG_ADMIN_URL, pgUrl, postgresAvailable, type TemplateDatabases } from "./databases.js";

async function prepare(databaseUrl: string | undefined, sqlitePath: string): Promise<void> {
  const ctx = await openContext({ databaseUrl, sqlitePath, clientDir: null, minCellSize: 5 });
  try {
    await prepareDatabase(ctx, path.join(REPO_ROOT, "surveys"), { quiet: true });
    await ensureDemoUnits(ctx);
  } finally {
    // Closing the last connection checkpoints SQLite's WAL into the file, so the file alone is the copy.
    await ctx.db.close();
  }
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chiso-template-"));
  const sqlitePath = path.join(dir, "chiso.db");
  // A name of its own per run: several runs may share the PostgreSQL server.
  const postgresName = postgresAvailable ? `chiso_template_${randomBytes(6).toString("hex")}` : null;
  if (postgresName) await admin((c) => c.query(`create database ${postgresName} template template0 encoding 'UTF8'`));
  const drop = async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    if (postgresName) await admin((c) => c.query(`drop database if exists ${postgresName} with (force)`));
  };
  try {
    await Promise.all([prepare(undefined, sqlitePath), postgresName ? prepare(pgUrl(postgresName), sqlitePath + ".unused") : null]);
    if (fs.existsSync(`${sqlitePath}-wal`) && fs.statSync(`${sqlitePath}-wal`).size > 0) throw new Error("the SQLite template kept a WAL");
    // A template must have no connection while it is copied: none is allowed from now on (autovacuum's neither).
    if (postgresName) await admin((c) => c.query(`alter database ${postgresName} with allow_connections false`));
  } catch (error) {
    await drop();
    throw error;
  }
  const templates: TemplateDatabases = { sqlitePath, postgresName };
  project.provide("templateDatabases", templates);
  return drop;
}
