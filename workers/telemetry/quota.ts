import type { FunnelReport } from "../../shared/contracts/report";
import { DAY_MS } from "../../shared/days";

export interface Rep {
  id: string;
  username: string | null;
  name: string | null;
  start_date: string | null;
}

export interface QuotaRow {
  owner: string;
  month: string;
  amount: number;
}

/** Closed-won amount of one owner on one day (sf.won_amount rows). */
export interface WonAmount {
  day: string;
  owner: string;
  amount: number;
}

/**
 * The quota of a rep for a month: a row for that month beats the standing ('*') one; id beats
 * username.
 */
export function quotaFor(rep: Rep, month: string, quotas: QuotaRow[]): number | null {
  const keys = [rep.id, rep.username].filter((k): k is string => !!k);
  for (const m of [month, "*"]) {
    for (const key of keys) {
      const row = quotas.find((q) => q.owner === key && q.month === m);
      if (row) return row.amount;
    }
  }
  return null;
}

const monthOf = (day: string) => day.slice(0, 7);

/**
 * Month-to-date closed-won amount against quota for the report's month, per rep with a quota or a
 * win.
 */
export function quotaAttainment(
  date: string,
  reps: Rep[],
  quotas: QuotaRow[],
  won: WonAmount[],
): FunnelReport["quotaAttainment"] {
  const month = monthOf(date);
  return reps
    .map((rep) => {
      const closedWonAmount = won
        .filter((w) => w.owner === rep.id && monthOf(w.day) === month && w.day <= date)
        .reduce((sum, w) => sum + w.amount, 0);
      const quota = quotaFor(rep, month, quotas);
      return {
        ownerId: rep.id,
        ownerName: rep.name ?? rep.id,
        month,
        quota,
        closedWonAmount,
        attainment: quota ? closedWonAmount / quota : null,
      };
    })
    .filter((row) => row.quota !== null || row.closedWonAmount > 0)
    .sort((a, b) => a.ownerName.localeCompare(b.ownerName));
}

/**
 * Per rep with a start date and a quota: the first day (on or after the start) on which that
 * month's running closed-won amount reached `share` of the month's quota.
 */
export function timeToRamp(
  date: string,
  reps: Rep[],
  quotas: QuotaRow[],
  won: WonAmount[],
  share: number,
): FunnelReport["timeToRamp"] {
  return reps
    .filter((rep) => rep.start_date && quotaFor(rep, monthOf(rep.start_date), quotas) !== null)
    .map((rep) => {
      const start = rep.start_date!;
      const days = won
        .filter((w) => w.owner === rep.id && w.day >= start && w.day <= date)
        .sort((a, b) => a.day.localeCompare(b.day));
      let rampedOn: string | null = null;
      let month = "";
      let running = 0;
      for (const w of days) {
        if (monthOf(w.day) !== month) {
          month = monthOf(w.day);
          running = 0;
        }
        running += w.amount;
        const quota = quotaFor(rep, month, quotas);
        if (quota !== null && running >= share * quota) {
          rampedOn = w.day;
          break;
        }
      }
      return {
        ownerId: rep.id,
        ownerName: rep.name ?? rep.id,
        startDate: start,
        threshold: share,
        rampedMonth: rampedOn ? monthOf(rampedOn) : null,
        rampedOn,
        daysToRamp: rampedOn
          ? Math.round((Date.parse(rampedOn) - Date.parse(start)) / DAY_MS)
          : null,
      };
    })
    .sort((a, b) => a.ownerName.localeCompare(b.ownerName));
}
