/** Queue names as declared in wrangler.toml; a test checks they match. */
export const QUEUES = {
  leadEvents: "lead-events",
  deadLetters: "lead-events-dlq",
  adminJobs: "admin-jobs",
} as const;
