import type { FaultRule } from "../harness/control";

export interface ChaosPlan {
  hubspot: FaultRule[];
  salesforce: FaultRule[];
  /** Salesforce: every Nth API call finds every session expired (null: off). */
  expireEvery: number | null;
}

/**
 * The issue's fault mix. Token expiry "every 1,000 calls" might not fire once here: the whole
 * 10,000-lead run makes under a thousand Salesforce calls (one collection per consumer batch),
 * so sessions expire every 50th Salesforce call instead.
 *
 * `small` is for runs of a few hundred leads (a few dozen Salesforce calls, a couple of dozen
 * HubSpot reads and deliveries, fewer the faster the stack): the 503s, session expiries, 429s and
 * redeliveries then fire on a fixed schedule, three times each, so that each surely happens and
 * the run still settles within its retries' backoff.
 */
export function chaosPlan(opts: { small?: boolean } = {}): ChaosPlan {
  const salesforce: FaultRule[] = [{ kind: "lock_row", path: "/services/data/", rate: 0.1 }];
  if (opts.small) {
    salesforce.push(
      { kind: "status", status: 503, path: "/services/data/", every: 3, times: 3 },
      { kind: "expire_session", path: "/services/data/", every: 2, times: 3 },
    );
  } else {
    salesforce.push({ kind: "status", status: 503, path: "/services/data/", rate: 0.1 });
  }
  return {
    hubspot: [
      opts.small
        ? { kind: "rate_limit", path: "/crm/", every: 4, times: 3 }
        : { kind: "rate_limit", path: "/crm/", rate: 0.05 },
      opts.small
        ? { kind: "webhook_duplicate", every: 5, times: 3 }
        : { kind: "webhook_duplicate", rate: 0.2 },
      // The consumer throws once mid-batch: Salesforce already has the batch's leads, HubSpot
      // refuses the status write with an error the handoff does not expect.
      { kind: "status", status: 400, path: "/crm/v3/objects/contacts/batch/update", times: 1 },
    ],
    salesforce,
    expireEvery: opts.small ? null : 50,
  };
}
