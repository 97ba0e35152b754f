import { DEFAULT_RULES, type Rules } from "../shared/contracts/rules";

/** What the admin API says of a contact the demo waited for (GET /admin/leads/:contactId). */
export interface LeadState {
  contactId: string;
  status: string | null;
  reasons: string[];
  rulesVersion: number | null;
}

/** The command that puts the default rules back in force. */
export const RESET_RULES_COMMAND = "npm run admin -- rules reset";

/** The rules that differ from the defaults, as `name value (default value)`; pure. */
export function rulesChanges(rules: Rules): string[] {
  return (Object.keys(DEFAULT_RULES) as (keyof Rules)[])
    .filter((key) => JSON.stringify(rules[key]) !== JSON.stringify(DEFAULT_RULES[key]))
    .map((key) => {
      const show = (v: unknown) =>
        Array.isArray(v) && v.length > 4 ? `${v.length} values` : JSON.stringify(v);
      return `${key} ${show(rules[key])} (default ${show(DEFAULT_RULES[key])})`;
    });
}

/**
 * Why contacts did not end as the demo expected, and what to do about it; pure. A contact refused
 * under rules that are not the defaults is the usual case: someone made them stricter.
 */
export function explainUnsettled(
  leads: LeadState[],
  inForce: { version: number; rules: Rules },
  expected: string,
): string {
  const lines = leads.map((l) =>
    l.status === null
      ? `contact ${l.contactId}: not judged yet (is npm start running, and is its queue consumer up?)`
      : l.status === "rejected"
        ? `contact ${l.contactId}: refused under qualification rules v${l.rulesVersion} (${l.reasons.join(", ") || "no reason recorded"})`
        : `contact ${l.contactId}: ${l.status}, not ${expected}`,
  );
  const changes = rulesChanges(inForce.rules);
  if (changes.length && leads.some((l) => l.status === "rejected"))
    lines.push(
      `the rules in force (v${inForce.version}) are not the defaults the demo expects: ${changes.join("; ")}`,
      `restore the defaults with: ${RESET_RULES_COMMAND}`,
      "then run npm run demo again",
    );
  return lines.join("\n  ");
}

/** GET calls to the Worker's admin API, failing with a sentence that says what to check. */
export function adminReader(workerUrl: string, token: string) {
  const call = (pathname: string) =>
    fetch(`${workerUrl}${pathname}`, { headers: { authorization: `Bearer ${token}` } }).catch(
      () => {
        throw new Error(`cannot reach the Worker at ${workerUrl}; is npm start running?`);
      },
    );
  async function get<T>(pathname: string): Promise<T> {
    const res = await call(pathname);
    if (!res.ok) throw new Error(`GET ${pathname}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }
  /** A contact as Leadbridge recorded it; status null when it never judged it. */
  async function leadState(contactId: string): Promise<LeadState & { judgedAt: number | null }> {
    const res = await call(`/admin/leads/${contactId}`);
    if (res.status === 404)
      return { contactId, status: null, reasons: [], rulesVersion: null, judgedAt: null };
    if (!res.ok)
      throw new Error(`GET /admin/leads/${contactId}: ${res.status} ${await res.text()}`);
    const { lead } = (await res.json()) as {
      lead: {
        status: string;
        reasons: string[];
        rulesVersion: number | null;
        judgedAt: string | null;
      } | null;
    };
    return {
      contactId,
      status: lead?.status ?? null,
      reasons: lead?.reasons ?? [],
      rulesVersion: lead?.rulesVersion ?? null,
      judgedAt: lead?.judgedAt ? Date.parse(lead.judgedAt) : null,
    };
  }
  return { get, leadState };
}
