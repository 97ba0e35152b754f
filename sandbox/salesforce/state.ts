import { RequestCounter } from "../common/counts";
import { FaultBoard } from "../common/faults";
import { AssignmentRules } from "./assignment";
import { Sessions } from "./auth";
import { QueryCursors } from "./cursors";
import { ApiUsage, DEFAULT_DAILY_LIMIT } from "./limits";
import { RequestLog } from "./request-log";
import type { ReceivedAlert } from "./routes/sink";
import { Store } from "./store";

export const DEFAULT_BATCH_SIZE = 2000;
export const MIN_BATCH_SIZE = 200;

/** Everything one running sandbox holds; the routes and the control surface share it. */
export class SandboxState {
  url = "";
  readonly store = new Store();
  readonly sessions = new Sessions();
  readonly usage: ApiUsage;
  readonly faults = new FaultBoard();
  readonly counter = new RequestCounter();
  readonly requests = new RequestLog();
  /** Lead assignment rules, set through /__sandbox/assignment-rule. */
  readonly assignmentRules = new AssignmentRules();
  readonly cursors = new QueryCursors(this.store.ids);
  /** Record names given by dated-history writes (`as`), kept until reset. */
  readonly names = new Map<string, string>();
  /** What the alert sink (POST /__sink/alerts) received, oldest first, until reset. */
  readonly alerts: ReceivedAlert[] = [];
  batchSize = DEFAULT_BATCH_SIZE;
  /** Chaos: every Nth API call finds all sessions expired. */
  expireEvery: number | null = null;
  apiCalls = 0;

  constructor(
    readonly clientId: string,
    readonly clientSecret: string,
    dailyLimit = DEFAULT_DAILY_LIMIT,
  ) {
    this.usage = new ApiUsage(dailyLimit);
  }
}
