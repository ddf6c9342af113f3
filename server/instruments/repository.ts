/** Stored instrument editions: import (immutable once published) and lookup, with a parsed-object cache. */
import type { Kysely } from "kysely";
import type { Database } from "../db/types.js";
import { InstrumentSchema, type Instrument } from "../../shared/instrument/schema.js";
import { IndexDefinitionSchema, type IndexDefinition } from "../../shared/index-model/schema.js";
import { ParIndexDefinitionSchema, type ParIndexDefinition } from "../../shared/index-model/par-index.js";
import { contentHash } from "../lib/canonical.js";
import { Problem } from "../http/problem.js";
import type { Edition } from "./load.js";

export interface StoredEdition {
  instrument: Instrument;
  index: IndexDefinition | null;
  /** The composite PAR INDEX of a self-assessment edition. */
  parIndex: ParIndexDefinition | null;
  contentHash: string;
}

export type ImportOutcome = "imported" | "unchanged";

/**
 * Imports an edition. The same id and version with different content is refused: a published
 * edition is immutable, so a change needs a new version (responses reference the version).
 */
export async function importEdition(db: Kysely<Database>, edition: Edition): Promise<ImportOutcome> {
  const { instrument, index } = edition;
  const parIndex = edition.parIndex ?? null;
  // The par index is hashed only when there is one, so survey editions keep their stored hashes.
  const hash = editionHash(edition);
  const existing = await db
    .selectFrom("instrument_editions")
    .select(["content_hash", "par_index_json"])
    .where("edition_id", "=", instrument.id)
    .where("version", "=", instrument.version)
    .executeTakeFirst();
  if (existing) {
    if (existing.content_hash === hash) return "unchanged";
    // Stored before par-index definitions were kept: its instrument is unchanged, so the definition is added once.
    if (parIndex && existing.par_index_json === null && existing.content_hash === contentHash({ instrument, index })) {
      await db
        .updateTable("instrument_editions")
        .set({ content_hash: hash, par_index_json: JSON.stringify(parIndex) })
        .where("edition_id", "=", instrument.id)
        .where("version", "=", instrument.version)
        .where("par_index_json", "is", null)
        .execute();
      cacheOf(db).delete(`${instrument.id}@${instrument.version}`);
      return "imported";
    }
    throw new Problem(
      "edition_changed",
      undefined,
      { edition: instrument.id, version: instrument.version },
      {
        vi: `Bộ câu hỏi ${instrument.id} phiên bản ${instrument.version} đã được công bố với nội dung khác; hãy đặt số phiên bản mới.`,
        en: `Edition ${instrument.id} version ${instrument.version} was published with different content; give the change a new version.`,
      },
    );
  }
  await db
    .insertInto("instrument_editions")
    .values({
      edition_id: instrument.id,
      version: instrument.version,
      family: instrument.family,
      year: instrument.year,
      title_vi: instrument.title.vi,
      title_en: instrument.title.en,
      content_hash: hash,
      instrument_json: JSON.stringify(instrument),
      index_json: index ? JSON.stringify(index) : null,
      par_index_json: parIndex ? JSON.stringify(parIndex) : null,
      imported_at: new Date().toISOString(),
    })
    .onConflict((oc) => oc.columns(["edition_id", "version"]).doNothing())
    .execute();
  return "imported";
}

/** sha256 of instrument + index, and of the par index too when the edition has one. */
export function editionHash(edition: Pick<Edition, "instrument" | "index" | "parIndex">): string {
  const { instrument, index, parIndex } = edition;
  return parIndex ? contentHash({ instrument, index, parIndex }) : contentHash({ instrument, index });
}

/**
 * Parsed editions, per database: one process may serve several (the test suites open SQLite and
 * PostgreSQL side by side), and an edition id and version name different content in each.
 */
const caches = new WeakMap<Kysely<Database>, Map<string, StoredEdition>>();

function cacheOf(db: Kysely<Database>): Map<string, StoredEdition> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  return cache;
}

/** Parsed edition by id and version; editions are immutable, so the cache never goes stale. */
export async function getEdition(db: Kysely<Database>, editionId: string, version: string): Promise<StoredEdition | null> {
  const key = `${editionId}@${version}`;
  const cache = cacheOf(db);
  const hit = cache.get(key);
  if (hit) return hit;
  const row = await db.selectFrom("instrument_editions").selectAll().where("edition_id", "=", editionId).where("version", "=", version).executeTakeFirst();
  if (!row) return null;
  const stored: StoredEdition = {
    instrument: InstrumentSchema.parse(JSON.parse(row.instrument_json)),
    index: row.index_json ? IndexDefinitionSchema.parse(JSON.parse(row.index_json)) : null,
    parIndex: row.par_index_json ? ParIndexDefinitionSchema.parse(JSON.parse(row.par_index_json)) : null,
    contentHash: row.content_hash,
  };
  cache.set(key, stored);
  return stored;
}

/** The latest version of every edition. */
export async function listEditions(db: Kysely<Database>) {
  const rows = await db
    .selectFrom("instrument_editions")
    .select(["edition_id", "version", "family", "year", "title_vi", "title_en", "content_hash", "imported_at"])
    .orderBy("edition_id")
    .execute();
  const latest = new Map<string, (typeof rows)[number] & { versions: string[] }>();
  for (const row of rows) {
    const prev = latest.get(row.edition_id);
    const versions = [...(prev?.versions ?? []), row.version].sort(compareVersions);
    if (!prev || compareVersions(row.version, prev.version) > 0) latest.set(row.edition_id, { ...row, versions });
    else prev.versions = versions;
  }
  return [...latest.values()];
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

export async function latestEdition(db: Kysely<Database>, editionId: string): Promise<StoredEdition | null> {
  const rows = await db.selectFrom("instrument_editions").select("version").where("edition_id", "=", editionId).execute();
  if (rows.length === 0) return null;
  const version = rows
    .map((r) => r.version)
    .sort(compareVersions)
    .at(-1)!;
  return getEdition(db, editionId, version);
}
