/** The checks of a new round against the database, the same for POST /api/rounds and `chiso round create`. */
import type { AppContext } from "../app-context.js";
import type { Instrument } from "../../shared/instrument/schema.js";
import { fieldError, type FieldError } from "../../shared/errors.js";
import type { NewRoundSchema } from "./repository.js";
import type { z } from "zod";

/**
 * What is wrong with a round whose shape is valid: a registry that does not exist, a scope unit
 * outside that registry, a respondent group the questionnaire does not have. Empty when it may be
 * stored. The questionnaire is checked by the caller (it needs it to tell the groups).
 */
export async function newRoundErrors(ctx: AppContext, input: z.infer<typeof NewRoundSchema>, instrument: Instrument | null): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  const registry = await ctx.db.kysely.selectFrom("unit_registries").select("id").where("id", "=", input.registry).executeTakeFirst();
  if (!registry) {
    errors.push(
      fieldError("registry", "invalid_field", { vi: `Không có danh mục đơn vị “${input.registry}”.`, en: `There is no unit registry “${input.registry}”.` }),
    );
  }
  for (const [i, key] of input.scope.entries()) {
    const unit = await ctx.units.get(key);
    if (!unit || unit.registry !== input.registry) errors.push(fieldError(`scope.${i}`, "unit_not_in_scope"));
  }
  const groups = new Set(instrument?.respondentGroups.map((g) => g.code));
  for (const [i, g] of input.groups.entries()) if (instrument && !groups.has(g)) errors.push(fieldError(`groups.${i}`, "group_not_allowed"));
  return errors;
}
