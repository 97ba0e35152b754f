/**
 * A small client for the admin API: bearer token from the environment, errors as readable messages.
 */
export class AdminApi {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /* biome-ignore lint/suspicious/noExplicitAny: callers that read a response loosely (tests,
     scripts) need not name its shape */
  async call<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.fetchImpl(`${this.baseUrl.replace(/\/$/, "")}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }).catch((err: Error) => {
      throw new CliError(`cannot reach ${this.baseUrl} (${err.message}); is the Worker running?`);
    });
    const text = await res.text();
    const json = text ? safeJson(text) : undefined;
    if (!res.ok) {
      const error = (json as { error?: ErrorBody } | undefined)?.error;
      const message = error?.message ?? text.slice(0, 200);
      // A document refused part by part (a mapping against Salesforce): one line per part.
      const parts = (error?.fields ?? []).map(
        (f) => `\n  ${f.index === null ? "" : `fields[${f.index}] `}${f.field}: ${f.problem}`,
      );
      throw new CliError(`${method} ${path} → ${res.status}: ${message}${parts.join("")}`);
    }
    return json as T;
  }
}

type ErrorBody = {
  message?: string;
  fields?: { index: number | null; field: string; problem: string }[];
};

/** An error meant for the person at the terminal: printed without a stack. */
export class CliError extends Error {}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
