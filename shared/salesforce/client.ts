import type { Connection } from "jsforce/core";
import type { Config } from "../env";
import { createLogger, type Logger } from "../log";

type SalesforceConfig = Pick<
  Config,
  | "SALESFORCE_LOGIN_URL"
  | "SALESFORCE_CLIENT_ID"
  | "SALESFORCE_CLIENT_SECRET"
  | "SALESFORCE_API_VERSION"
>;

export interface SalesforceToken {
  accessToken: string;
  instanceUrl: string;
}

/**
 * Emitted by a connection from connectSalesforce each time Salesforce answers a call: a caller can
 * learn that Salesforce works (a pause ends) without wrapping every call.
 */
export const SALESFORCE_ANSWERED = "leadbridge:answered";

const TOKEN_KEY = "salesforce:token";
// Client-credentials sessions default to 2 h; re-authorizing early costs one call, an expired one
// costs a retry.
const TOKEN_TTL_SECONDS = 90 * 60;

/**
 * A jsforce connection on the client-credentials flow. It has no refresh token, so the
 * refresh function authorizes again; the token is shared across invocations through KV. The cache
 * is only a saving: a KV write that fails leaves the next invocation to authorize again.
 */
export async function connectSalesforce(
  config: SalesforceConfig,
  kv?: KVNamespace,
  log: Logger = createLogger({ component: "salesforce" }),
): Promise<Connection> {
  // Loaded on the first connection, not when the Worker starts (bench/README.md, Startup).
  const { default: jsforce } = await import("jsforce/core");
  const loginUrl = config.SALESFORCE_LOGIN_URL.replace(/\/$/, "");
  const oauth2 = new jsforce.OAuth2({
    loginUrl,
    clientId: config.SALESFORCE_CLIENT_ID,
    clientSecret: config.SALESFORCE_CLIENT_SECRET,
  });
  const authorize = async (): Promise<SalesforceToken> => {
    const res = (await oauth2.requestToken({ grant_type: "client_credentials" })) as {
      access_token: string;
      instance_url: string;
    };
    const token = { accessToken: res.access_token, instanceUrl: res.instance_url };
    try {
      await kv?.put(TOKEN_KEY, JSON.stringify(token), { expirationTtl: TOKEN_TTL_SECONDS });
    } catch (err) {
      log.warn("salesforce_token_cache_failed", {
        op: "put",
        error: messageOf(err),
      });
    }
    return token;
  };
  const cached = kv
    ? await kv.get<SalesforceToken>(TOKEN_KEY, "json").catch((err: unknown) => {
        log.warn("salesforce_token_cache_failed", { op: "get", error: messageOf(err) });
        return null;
      })
    : null;
  const token = cached ?? (await authorize());
  // One re-authorization per answer: jsforce authorizes again on every 401 and repeats the call,
  // so a session Salesforce keeps refusing would loop. A second refusal before any call has
  // been answered fails the call instead (the handoff pauses; docs/handoff.md, "Pauses").
  let refreshesSinceAnswer = 0;
  const conn = new jsforce.Connection({
    oauth2,
    version: config.SALESFORCE_API_VERSION,
    instanceUrl: token.instanceUrl,
    accessToken: token.accessToken,
    refreshFn: (_conn, callback) => {
      if (refreshesSinceAnswer >= 1) {
        const refused = new Error(
          "INVALID_SESSION_ID: the session was refused again right after re-authorizing",
        );
        refused.name = "INVALID_SESSION_ID";
        callback(refused);
        return;
      }
      refreshesSinceAnswer++;
      authorize()
        .then((fresh) => callback(null, fresh.accessToken))
        .catch((err: Error) => callback(err));
    },
  });
  const request = conn.request.bind(conn);
  conn.request = ((...args: Parameters<typeof request>) => {
    const answer = request(...args);
    answer.then(
      () => {
        refreshesSinceAnswer = 0;
        conn.emit(SALESFORCE_ANSWERED);
      },
      () => {},
    );
    return answer;
  }) as typeof conn.request;
  return conn;
}

// The message only: a KV error names the key at most, never the value.
const messageOf = (err: unknown) => (err instanceof Error ? err.message.slice(0, 200) : "unknown");
