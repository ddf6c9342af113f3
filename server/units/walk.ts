/** Walking the unit tree downwards: the units of a level under a scope unit. */
import type { AppContext } from "../app-context.js";

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
