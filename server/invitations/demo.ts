/**
 * The demo leader round is invitation-only, like a real one: demo invitees (two per agency and
 * group, so every published cell is well above the minimum), some of them "opened", and synthetic
 * anonymous responses stored as real ones are — at the province, with no time. A newcomer opens a
 * link from the administration's invitations tab (links.csv) and goes through the real flow.
 */
import { randomUUID } from "node:crypto";
import type { AppContext } from "../app-context.js";
import type { Round } from "../rounds/repository.js";
import { latestEdition } from "../instruments/repository.js";
import { unitsAtLevel } from "../units/walk.js";
import { generateResponses } from "../demo/generate.js";
import { seededRng } from "../demo/random.js";
import { ensureCellKeys } from "./credentials.js";
import { insertInvitations, markOpenedWithoutCredential, type NewInvitation } from "./repository.js";
import { prepareAnonymous } from "./anonymous-response.js";

const GIVEN = [
  "An",
  "Bình",
  "Châu",
  "Dũng",
  "Giang",
  "Hà",
  "Hải",
  "Hạnh",
  "Hùng",
  "Lan",
  "Linh",
  "Minh",
  "Nam",
  "Ngọc",
  "Phương",
  "Quang",
  "Sơn",
  "Thảo",
  "Trung",
  "Yến",
];
const FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi"];

/** Adds demo invitees and up to `responses` anonymous responses; returns how many were stored. */
export async function addDemoInvitations(ctx: AppContext, round: Round, responses: number, seed = 2022): Promise<number> {
  const edition = await latestEdition(ctx.db.kysely, round.editionId);
  if (!edition) return 0;
  const { instrument } = edition;
  const rng = seededRng(seed);
  const agencies = round.scope.flatMap((s) => unitsAtLevel(ctx, s, "agency"));
  const invitees: NewInvitation[] = [];
  for (const agencyKey of agencies) {
    for (const group of round.groups) {
      for (let i = 0; i < 2; i++) {
        const n = invitees.length + 1;
        invitees.push({ name: `${rng.pick(FAMILY)} Văn ${rng.pick(GIVEN)} (mẫu ${n})`, email: `lanhdao.mau${n}@example.vn`, group, agencyKey });
      }
    }
  }
  if (invitees.length === 0) return 0;
  const provinces = new Map<string, string>();
  for (const a of agencies) provinces.set(a, ctx.units.getCached(a)?.parentKey ?? a);
  await ensureCellKeys(
    ctx.db.kysely,
    [...new Set(invitees.map((i) => `${i.group}\u0000${provinces.get(i.agencyKey)}`))].map((k) => {
      const [group, unit] = k.split("\u0000") as [string, string];
      return { round: round.id, group, unit };
    }),
  );
  const rows = await ctx.db.kysely.transaction().execute((trx) => insertInvitations(trx, round.id, invitees));
  // About two thirds opened their link; most of those answered. Nothing ties the two sets together.
  const opened = rows.filter(() => rng.next() < 0.67);
  await markOpenedWithoutCredential(
    ctx.db.kysely,
    round.id,
    opened.map((r) => r.token),
  );
  const answering = opened.filter(() => rng.next() < 0.85).slice(0, responses);
  let stored = 0;
  for (const [i, invitee] of answering.entries()) {
    // One response per answering invitee, in its own group; stored at the province, like a real one.
    for (const g of generateResponses(instrument, [invitee.agency_key], [invitee.group_code], 1, seed + i)) {
      const unit = provinces.get(g.unit) ?? g.unit;
      const prepared = await prepareAnonymous(ctx, round.id, {
        id: randomUUID(),
        instrument: { id: instrument.id, version: instrument.version },
        unit,
        group: g.group,
        answers: g.answers,
      });
      await ctx.store.store(prepared);
      stored++;
    }
  }
  return stored;
}
