/**
 * Test-only D1 faults. When the local-only binding `LEADBRIDGE_TEST_D1_FAULTS` is set (a test's
 * env, or `wrangler dev --var` for a chaos run; wrangler.toml never sets it), every D1 call of the
 * invocation fails the way an outage does:
 * - `on`: fail;
 * - `until:<epoch ms>`: fail until that moment (a timed outage in a running stack);
 * - `between:<epoch ms>:<epoch ms>`: fail from the first moment until the second (an outage later
 *   in a run, e.g. the outage run's D1 phase).
 * Production pays one property check: without the binding the env is returned as it is.
 */
export const D1_FAULTS_BINDING = "LEADBRIDGE_TEST_D1_FAULTS";

export function withD1Faults<E extends { DB: D1Database }>(env: E): E {
  const switchValue = (env as { [D1_FAULTS_BINDING]?: unknown })[D1_FAULTS_BINDING];
  if (switchValue === undefined || !faultActive(switchValue, Date.now())) return env;
  return { ...env, DB: failingDb() };
}

export function faultActive(value: unknown, now: number): boolean {
  if (value === "on") return true;
  if (typeof value !== "string") return false;
  if (value.startsWith("between:")) {
    const [from, until] = value.slice("between:".length).split(":").map(Number);
    return Number.isFinite(from) && Number.isFinite(until) && from! <= now && now < until!;
  }
  if (!value.startsWith("until:")) return false;
  const until = Number(value.slice("until:".length));
  return Number.isFinite(until) && now < until;
}

function outage(): Error {
  return new Error(`D1_ERROR: D1 is unavailable (injected by ${D1_FAULTS_BINDING})`);
}

const fail = async (): Promise<never> => {
  throw outage();
};

function failingStatement(): D1PreparedStatement {
  const statement = { first: fail, run: fail, all: fail, raw: fail } as Record<string, unknown>;
  statement.bind = () => statement;
  return statement as unknown as D1PreparedStatement;
}

function failingDb(): D1Database {
  const db = {
    prepare: () => failingStatement(),
    batch: fail,
    exec: fail,
    dump: fail,
  } as Record<string, unknown>;
  db.withSession = () => db;
  return db as unknown as D1Database;
}
