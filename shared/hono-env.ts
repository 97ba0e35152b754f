import type { Config } from "./env";
import type { Logger } from "./log";

/** The one Hono environment type: bindings from `wrangler types`, variables set by middleware. */
export interface HonoEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    config: Config;
    log: Logger;
    /** Who passed admin auth: "admin-token", or the Cloudflare Access identity. */
    adminActor?: string;
  };
}
