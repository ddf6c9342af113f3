/**
 * The databases integration tests run on: a real SQLite file in a temp folder, always; a real
 * PostgreSQL database when one is reachable (CHISO_TEST_PG_URL, default the local server), else
 * the PostgreSQL suites say so and skip. Each test server gets a fresh database of its own.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";

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

export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chiso-test-"));
  const sqlitePath = path.join(dir, "chiso.db");
  if (dialect === "sqlite") {
    return { databaseUrl: undefined, sqlitePath, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `chiso_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name} template template0 encoding 'UTF8'`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
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
