import jsforce, { type Connection } from "jsforce";
import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from "../../sandbox/salesforce/server";

// Helpers the sandbox's own tests use: a jsforce connection set up the way the product sets
// one up (client credentials, refreshFn that authorizes again), and a raw HTTP caller.

export const API_VERSION = "62.0";

export async function connect(url: string): Promise<Connection> {
  const oauth2 = {
    clientId: SANDBOX_CLIENT_ID,
    clientSecret: SANDBOX_CLIENT_SECRET,
    loginUrl: url,
  };
  const conn: Connection = new jsforce.Connection({
    loginUrl: url,
    version: API_VERSION,
    oauth2,
    // Client-credentials sessions have no refresh token: refreshing means authorizing again.
    refreshFn: (_conn, callback) => {
      new jsforce.OAuth2(oauth2)
        .requestToken({ grant_type: "client_credentials" })
        .then((res) => callback(null, res.access_token, res))
        .catch((err: Error) => callback(err));
    },
  });
  await conn.authorize({ grant_type: "client_credentials" });
  return conn;
}

export async function token(url: string): Promise<string> {
  const res = await fetch(`${url}/services/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: SANDBOX_CLIENT_ID,
      client_secret: SANDBOX_CLIENT_SECRET,
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

export interface Raw {
  status: number;
  headers: Headers;
  body: any;
}

/**
 * One REST call with a bearer token; `path` is relative to /services/data/v62.0 unless absolute.
 */
export async function call(
  url: string,
  accessToken: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Raw> {
  const full = path.startsWith("/services") ? path : `/services/data/v${API_VERSION}${path}`;
  const res = await fetch(`${url}${full}`, {
    method,
    headers: {
      authorization: `Bearer ${accessToken}`,
      "content-type": "application/json",
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

/** POST/PUT/DELETE on the sandbox's /__sandbox control surface. */
export async function control(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<any> {
  const res = await fetch(`${url}/__sandbox${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`control ${method} ${path} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}
