// The last API requests' methods, paths and headers, so a test can see what a client really sent.

export interface LoggedRequest {
  method: string;
  path: string;
  /** Lower-cased names; the bearer token is not kept. */
  headers: Record<string, string>;
}

const KEEP = 1000;

export class RequestLog {
  private entries: LoggedRequest[] = [];

  record(method: string, path: string, headers: Headers): void {
    const kept: Record<string, string> = {};
    headers.forEach((value, name) => {
      if (name !== "authorization") kept[name] = value;
    });
    this.entries.push({ method, path, headers: kept });
    if (this.entries.length > KEEP) this.entries.splice(0, this.entries.length - KEEP);
  }

  list(): LoggedRequest[] {
    return [...this.entries];
  }

  clear(): void {
    this.entries = [];
  }
}
