/**
 * Lifetimes of credentials (docs/security.md, "Accounts and sessions"): a session ends 12 hours
 * after sign-in or after CHISO_SESSION_IDLE_MINUTES (default 30) without a request, whichever
 * comes first; an enumerator's device token ends after DEVICE_DAYS without use.
 */
export const SESSION_HOURS = 12;
export const DEFAULT_IDLE_MINUTES = 30;
export const DEVICE_DAYS = 90;

export interface SessionPolicy {
  absoluteMs: number;
  idleMs: number;
}

/** Read at call time; a value that is not a positive number of minutes is refused, naming the variable. */
export function sessionPolicy(env: NodeJS.ProcessEnv = process.env): SessionPolicy {
  const raw = env.CHISO_SESSION_IDLE_MINUTES?.trim();
  const minutes = raw ? Number(raw) : DEFAULT_IDLE_MINUTES;
  if (!Number.isFinite(minutes) || minutes <= 0 || minutes > SESSION_HOURS * 60) {
    throw new Error(`CHISO_SESSION_IDLE_MINUTES must be a number of minutes between 1 and ${SESSION_HOURS * 60} (got "${raw}")`);
  }
  return { absoluteMs: SESSION_HOURS * 3600_000, idleMs: minutes * 60_000 };
}
