/**
 * The units an ODK form offers: the round's units at the instrument's level, limited to the
 * enumerator's area (as /collect's offline list and the submission check are), written as the
 * CSV attachment the XForm's cascading selects read (columns name, label, level, parent).
 *
 * The cascade's levels are the same for every enumerator of a round (they are in the XForm):
 * the levels between the round's common ancestor and the unit, e.g. commune → village under a
 * province. Where units sit at different depths, one searchable list is offered instead.
 */
import type { User } from "../accounts/repository.js";
import type { Round } from "../rounds/repository.js";
import type { UnitDirectory, UnitInfo } from "../units/directory.js";
import { unitsInScope } from "../units/walk.js";
import type { Instrument } from "../../shared/instrument/schema.js";

export interface UnitChoices {
  /** Levels picked one after the other, broadest first, the instrument's level last. */
  levels: string[];
  /** The chosen units, each with its chain of ancestors at those levels (broadest first, the unit last). */
  chains: UnitInfo[][];
}

/** `user` null: the whole round (to fix the levels, which every enumerator's form shares). */
export function unitChoices(directory: UnitDirectory, round: Round, instrument: Instrument, user: User | null): UnitChoices {
  const all = unitsInScope(directory, round.registry, round.scope, instrument.unitLevel);
  const fullChains = all.map((u) => directory.lineage(u.key).reverse());
  // Drop the ancestors every unit shares (the province of the round, say): nothing to choose there.
  let shared = 0;
  while (fullChains.length > 0 && fullChains.every((ch) => ch.length > shared + 1 && ch[shared]!.key === fullChains[0]![shared]!.key)) shared++;
  const tails = fullChains.map((ch) => ch.slice(shared));
  const levelsOf = (ch: UnitInfo[]) => ch.map((u) => u.level).join("/");
  const uniform = tails.length > 0 && tails.every((t) => levelsOf(t) === levelsOf(tails[0]!));
  const levels = uniform ? tails[0]!.map((u) => u.level) : [instrument.unitLevel];
  const mine = (u: UnitInfo) => !user || user.unitScope.length === 0 || user.unitScope.some((s) => directory.isWithin(u.key, s));
  const chains = all
    .map((u, i) => ({ u, chain: uniform ? tails[i]! : [u] }))
    .filter(({ u }) => mine(u))
    .map(({ chain }) => chain);
  return { levels, chains };
}

const csvField = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** The CSV an enumerator's form reads its unit choices from, sorted by code within each level. */
export function unitsCsv(directory: UnitDirectory, round: Round, instrument: Instrument, user: User): string {
  const { levels, chains } = unitChoices(directory, round, instrument, user);
  const rows = new Map<string, { level: number; code: string; line: string }>();
  for (const chain of chains) {
    chain.forEach((u, i) => {
      if (rows.has(u.key)) return;
      const last = i === chain.length - 1;
      const label = last ? `${u.fullName} (${u.code})` : u.fullName;
      const parent = i > 0 ? chain[i - 1]!.key : "";
      rows.set(u.key, { level: i, code: u.code, line: [u.key, label, levels[i] ?? u.level, parent].map(csvField).join(",") });
    });
  }
  const sorted = [...rows.values()].sort((a, b) => a.level - b.level || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return `name,label,level,parent\n${sorted.map((r) => r.line).join("\n")}\n`;
}
