/** The nightly funnel run: 02:15 UTC, after the day has closed everywhere we sell. */
export const NIGHTLY_CRON = "15 2 * * *";

/** The outcome sync (workers/outcomes): sales' verdicts and deals back to HubSpot. */
export const OUTCOME_SYNC_CRON = "*/5 * * * *";

/** Every cron the Worker handles; a test checks this equals wrangler.toml [triggers] crons. */
export const HANDLED_CRONS = [NIGHTLY_CRON, OUTCOME_SYNC_CRON] as const;
