/** Unit spaces: the round's units mapped into the registry results are shown in (as of), through the crosswalk. */
import type { AppContext } from "../app-context.js";
import { Problem } from "../http/problem.js";
import type { UnitDirectory } from "../units/directory.js";
import { Crosswalk, ancestorMapping, type Mapped } from "../../shared/results/crosswalk.js";
import { crosswalkLinks, registryIds } from "./repository.js";

/** Maps the round's units into the registry results are shown in. */
export interface UnitSpace {
  registry: string;
  from: string;
  map(unitKey: string, level: string): Mapped;
}

// The crosswalk is imported once and never changes while the server runs: built once per direction.
const crosswalkCache = new WeakMap<UnitDirectory, Map<string, Promise<Crosswalk | null>>>();

async function crosswalkBetween(ctx: AppContext, from: string, asOf: string): Promise<Crosswalk | null> {
  let byPair = crosswalkCache.get(ctx.units);
  if (!byPair) crosswalkCache.set(ctx.units, (byPair = new Map()));
  const key = `${from}\u0000${asOf}`;
  let built = byPair.get(key);
  if (!built) {
    built = crosswalkLinks(ctx.db.kysely).then((all) => {
      const lookup = (k: string) => ctx.units.getCached(k);
      const registryOf = (k: string) => ctx.units.getCached(k)?.registry ?? null;
      const forward = all.filter((l) => registryOf(l.from) === from && registryOf(l.to) === asOf);
      if (forward.length > 0) return new Crosswalk(forward, lookup);
      const backward = all.filter((l) => registryOf(l.from) === asOf && registryOf(l.to) === from);
      return backward.length > 0 ? new Crosswalk(backward, lookup, true) : null;
    });
    built.catch(() => byPair!.delete(key));
    byPair.set(key, built);
  }
  return built;
}

export async function unitSpace(ctx: AppContext, from: string, asOf: string): Promise<UnitSpace> {
  if (from === asOf) return { registry: asOf, from, map: ancestorMapping((key) => ctx.units.getCached(key)) };
  const crosswalk = await crosswalkBetween(ctx, from, asOf);
  if (!crosswalk) {
    throw new Problem("crosswalk_missing", undefined, {
      from,
      asOf,
    });
  }
  return { registry: asOf, from, map: (key, level) => crosswalk.map(key, level) };
}

export async function checkRegistry(ctx: AppContext, registry: string): Promise<void> {
  const ids = await registryIds(ctx.db.kysely);
  if (!ids.includes(registry)) {
    throw new Problem("registry_unknown", undefined, {
      asOf: registry,
      known: ids,
    });
  }
}
