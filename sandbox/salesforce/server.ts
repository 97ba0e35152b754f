import { listen } from "../common/serve";
import { buildApp } from "./app";
import { MAX_REQUEST_HEAD_BYTES } from "./middleware";
import { seedDemoData } from "./seed";
import { SandboxState } from "./state";

export const SANDBOX_CLIENT_ID = "sandbox-sf-client-id";
export const SANDBOX_CLIENT_SECRET = "sandbox-sf-client-secret";

export interface SalesforceSandboxOptions {
  port?: number;
  host?: string;
  clientId?: string;
  clientSecret?: string;
  /** Load the demo org (default true). */
  seed?: boolean;
  /** Daily API request allocation (default 100,000). */
  dailyLimit?: number;
}

/** Starts an in-memory Salesforce org speaking the REST API on loopback. */
export async function startSalesforceSandbox(
  opts: SalesforceSandboxOptions = {},
): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const state = new SandboxState(
    opts.clientId ?? SANDBOX_CLIENT_ID,
    opts.clientSecret ?? SANDBOX_CLIENT_SECRET,
    opts.dailyLimit,
  );
  if (opts.seed ?? true) seedDemoData(state.store);
  // Node would refuse a request line and headers over 16 KiB itself (431, before the app sees
  // it); the app answers Salesforce's 414 and 431 at that size instead (middleware.ts).
  const running = await listen(buildApp(state), opts.port ?? 0, opts.host ?? "127.0.0.1", {
    maxHeaderSize: 4 * MAX_REQUEST_HEAD_BYTES,
  });
  state.url = running.url;
  return running;
}
