/** Walking the unit tree downwards: the units of a level under a scope unit, or under a round's scope. */
import type { AppContext } from "../app-context.js";
import type { UnitDirectory, UnitInfo } from "./directory.js";

/** Keys of the units at `level` under `key` (or `key` itself when it is at that level), sorted. */
export function unitsAtLevel(ctx: Pick<AppContext, "units">, key: string, level: string): string[] {
  const out: string[] = [];
  const stack = [key];
  while (stack.length) {
    const k = stack.pop()!;
    const unit = ctx.units.getCached(k);
    if (!unit) continue;
    if (unit.level === level) out.push(k);
    else stack.push(...ctx.units.childrenOf(k).map((c) => c.key));
  }
  return out.sort();
}

/**
 * The units at `level` at or below any of the scope keys, each once (scopes may overlap), in the
 * round's registry; with no scope, every unit of the registry at that level.
 */
export function unitsInScope(directory: UnitDirectory, registry: string, scope: readonly string[], level: string): UnitInfo[] {
  if (scope.length === 0) return directory.atLevel(registry, level);
  const seen = new Set<string>();
  const out: UnitInfo[] = [];
  const stack = [...scope];
  while (stack.length) {
    const key = stack.pop()!;
    if (seen.has(key)) continue;
    seen.add(key);
    const unit = directory.getCached(key);
    if (!unit) continue;
    // Stop at the wanted level: nothing below it can be a response's unit.
    if (unit.level === level) out.push(unit);
    else for (const child of directory.childrenOf(key)) stack.push(child.key);
  }
  return out.filter((u) => u.registry === registry);
}
