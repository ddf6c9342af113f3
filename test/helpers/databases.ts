/**
 * The databases integration tests run on: a real SQLite file in a temp folder, always; a real
 * PostgreSQL database when one is reachable (CHISO_TEST_PG_URL, default the local server), else
 * the PostgreSQL suites say so and skip. Each test server gets a fresh database of its own, copied
 * from a template the run prepared once (migrations, questionnaires, unit registries, demo units).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";

export const PG_ADMIN_URL = process.env.CHISO_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function probePostgres(): Promise<string | null> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("select 1");
    return null;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const pgProblem = await probePostgres();
export const postgresAvailable = pgProblem === null;
if (!postgresAvailable) {
  console.warn(`PostgreSQL is not reachable at ${PG_ADMIN_URL} (${pgProblem}); the PostgreSQL test suites are skipped.`);
}

export type TestDialect = "sqlite" | "postgres";
export const DIALECTS: TestDialect[] = ["sqlite", "postgres"];

export interface TestDatabase {
  databaseUrl: string | undefined;
  sqlitePath: string;
  drop(): Promise<void>;
}

/** The templates of this run, made by test/helpers/template-databases.ts before any test file starts. */
export interface TemplateDatabases {
  /** A closed SQLite file (no -wal beside it), copied per test. */
  sqlitePath: string;
  /** A PostgreSQL database nobody connects to, the TEMPLATE of each test's; null without PostgreSQL. */
  postgresName: string | null;
}

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabases: TemplateDatabases | null;
  }
}

export function pgUrl(name: string): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** An empty database (no migration applied). */
export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  return createDatabase(dialect, null);
}

/**
 * A database in the state a first start leaves it (migrated, questionnaires and unit registries
 * imported, demo units added), copied from the run's template; without one (a file run outside this
 * config), an empty database, which the caller prepares as usual. Tells which it gave.
 */
export async function createPreparedDatabase(dialect: TestDialect): Promise<TestDatabase & { fromTemplate: boolean }> {
  const templates = inject("templateDatabases") ?? null;
  const template = templates && (dialect === "sqlite" ? templates.sqlitePath : templates.postgresName);
  return { ...(await createDatabase(dialect, template ?? null)), fromTemplate: Boolean(template) };
}

async function createDatabase(dialect: TestDialect, template: string | null): Promise<TestDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chiso-test-"));
  const sqlitePath = path.join(dir, "chiso.db");
  if (dialect === "sqlite") {
    if (template) fs.copyFileSync(template, sqlitePath);
    return { databaseUrl: undefined, sqlitePath, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `chiso_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  // Copying a template is file copying in the server: far cheaper than migrating and importing again.
  await admin.query(`create database ${name} template ${template ?? "template0"} encoding 'UTF8'`);
  await admin.end();
  return {
    databaseUrl: pgUrl(name),
    sqlitePath,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
