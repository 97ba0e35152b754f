import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface ListenOptions {
  /**
   * Node's limit on the request line and headers together (16 KiB by default); raise it when
   * the app answers oversized requests itself, the way the real API's front end does.
   */
  maxHeaderSize?: number;
}

/** Serves a Hono app on loopback; port 0 picks a free port. */
export function listen(
  app: { fetch: (req: Request) => Response | Promise<Response> },
  port = 0,
  hostname = "127.0.0.1",
  opts: ListenOptions = {},
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const serverOptions = opts.maxHeaderSize ? { maxHeaderSize: opts.maxHeaderSize } : {};
    const server = serve(
      { fetch: app.fetch, port, hostname, serverOptions },
      (info: AddressInfo) => {
        resolve({
          url: `http://${hostname}:${info.port}`,
          port: info.port,
          close: () =>
            new Promise<void>((done) => {
              if ("closeAllConnections" in server) server.closeAllConnections();
              server.close(() => done());
            }),
        });
      },
    );
    // Like the real APIs' front ends, keep idle connections longer than clients do (undici drops
    // them after 4 s): with Node's 5 s default, a client reusing a socket the server is closing
    // at that moment gets ECONNRESET on a busy machine.
    const http = server as unknown as { keepAliveTimeout: number; headersTimeout: number };
    http.keepAliveTimeout = 65_000;
    http.headersTimeout = 66_000;
    server.once("error", reject);
  });
}
