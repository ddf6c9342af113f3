/**
 * Showing results "as of" another unit registry: which unit of the target registry a unit of the
 * round's registry belongs to, through the old → new crosswalk (or its one-to-one reverse).
 *
 * The rule (docs/results.md): walk up from the unit to the nearest ancestor that has crosswalk links.
 * One link, or exactly one "full" link among several, decides: the unit belongs to that link's
 * target (or its ancestor at the requested level). Several links with no single full one (an old
 * commune split between new communes) cannot be allocated exactly: if all of them lead to the same
 * unit at the requested level (the pieces stayed in one province) the unit is mapped there,
 * otherwise it is "partial" and left out of every row at that level, never counted twice.
 * Backwards (new → old) a link is full only when it is one-to-one.
 */

export interface CrosswalkUnit {
  key: string;
  level: string;
  parentKey: string | null;
}

export interface CrosswalkLink {
  from: string;
  to: string;
  level: string;
  kind: string;
}

export type Mapped =
  | { status: "mapped"; key: string }
  /** `via`: the unit whose links are ambiguous (the split commune), an ancestor of the unit or itself. */
  | { status: "partial"; candidates: string[]; via: string }
  | { status: "unmapped" };

interface Edge {
  to: string;
  full: boolean;
}

export class Crosswalk {
  private readonly out = new Map<string, Edge[]>();
  private readonly memo = new Map<string, Mapped>();

  /**
   * `links` are stored old → new. `reverse` builds the new → old direction, where an edge is full
   * only if the old unit went wholly into the new one and nothing else did (one-to-one).
   */
  constructor(
    links: readonly CrosswalkLink[],
    private readonly lookup: (key: string) => CrosswalkUnit | null,
    reverse = false,
  ) {
    if (!reverse) {
      for (const l of links) push(this.out, l.from, { to: l.to, full: l.kind === "full" });
      return;
    }
    const outgoing = new Map<string, number>();
    const incoming = new Map<string, number>();
    for (const l of links) {
      outgoing.set(l.from, (outgoing.get(l.from) ?? 0) + 1);
      incoming.set(l.to, (incoming.get(l.to) ?? 0) + 1);
    }
    for (const l of links) {
      const oneToOne = l.kind === "full" && outgoing.get(l.from) === 1 && incoming.get(l.to) === 1;
      push(this.out, l.to, { to: l.from, full: oneToOne });
    }
  }

  /** The unit of the target registry at `level` that `key` (a unit of the source registry) belongs to. */
  map(key: string, level: string): Mapped {
    const memoKey = `${key}\u0000${level}`;
    const hit = this.memo.get(memoKey);
    if (hit) return hit;
    const result = this.resolve(key, level);
    // A unit not known yet (added since) is not remembered as unmapped.
    if (this.lookup(key)) this.memo.set(memoKey, result);
    return result;
  }

  private resolve(key: string, level: string): Mapped {
    for (let unit = this.lookup(key); unit; unit = unit.parentKey ? this.lookup(unit.parentKey) : null) {
      const edges = this.out.get(unit.key);
      if (!edges || edges.length === 0) continue;
      const fulls = edges.filter((e) => e.full);
      const chosen = edges.length === 1 ? edges[0]! : fulls.length === 1 ? fulls[0]! : null;
      if (chosen) {
        const target = this.ancestorAt(chosen.to, level);
        return target ? { status: "mapped", key: target } : { status: "unmapped" };
      }
      const candidates = edges.map((e) => this.ancestorAt(e.to, level));
      const distinct = [...new Set(candidates.filter((c): c is string => c !== null))].sort();
      if (distinct.length === 1 && candidates.every((c) => c !== null)) return { status: "mapped", key: distinct[0]! };
      return distinct.length > 0 ? { status: "partial", candidates: distinct, via: unit.key } : { status: "unmapped" };
    }
    return { status: "unmapped" };
  }

  private ancestorAt(key: string, level: string): string | null {
    for (let unit = this.lookup(key); unit; unit = unit.parentKey ? this.lookup(unit.parentKey) : null) {
      if (unit.level === level) return unit.key;
    }
    return null;
  }
}

function push(map: Map<string, Edge[]>, key: string, edge: Edge): void {
  const list = map.get(key);
  if (list) list.push(edge);
  else map.set(key, [edge]);
}

/** Mapping within one registry: the unit's own ancestor at the level. */
export function ancestorMapping(lookup: (key: string) => CrosswalkUnit | null) {
  return (key: string, level: string): Mapped => {
    for (let unit = lookup(key); unit; unit = unit.parentKey ? lookup(unit.parentKey) : null) {
      if (unit.level === level) return { status: "mapped", key: unit.key };
    }
    return { status: "unmapped" };
  };
}
