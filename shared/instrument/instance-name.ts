/**
 * The name of one filled form in lists (XLSForm's instance_name): the instrument's `instanceName`
 * expression over the answers, or null when it has none or it comes out empty, so that the caller
 * falls back to its own description (unit, group, time).
 */
import { evaluate, toText } from "../expr/evaluate.js";
import { parseCached } from "../expr/index.js";
import type { Answers, Instrument } from "./schema.js";
import { formLogic } from "./logic.js";

/** Long enough for a household or a person's name; lists cut the rest. */
const MAX_LENGTH = 120;

export function instanceNameOf(instrument: Instrument, answers: Answers): string | null {
  if (!instrument.instanceName) return null;
  try {
    const logic = formLogic(instrument, answers);
    const text = toText(evaluate(parseCached(instrument.instanceName), { get: (id) => logic.value(id) }))
      .normalize("NFC")
      .replace(/\s+/g, " ")
      .trim();
    return text ? text.slice(0, MAX_LENGTH) : null;
  } catch {
    // A definition is checked when it loads; an unchecked one only loses its names.
    return null;
  }
}
