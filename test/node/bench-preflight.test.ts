import { describe, expect, it } from "vitest";
import { otherWorkloads } from "../../bench/lib/preflight";

describe("bench preflight: other stacks on the machine", () => {
  const ps = [
    "    1 /process_api --firecracker-init",
    " 2951 sh -c tsx dev/start.ts",
    " 3039 /usr/bin/node --no-warnings --experimental-vm-modules /work/main/node_modules/wrangler/wrangler-dist/cli.js dev --ip 127.0.0.1 --port 8787",
    " 3056 /work/main/node_modules/@cloudflare/workerd-linux-64/bin/workerd serve --binary --experimental --socket-addr=entry=127.0.0.1:8787",
    " 3100 node /work/main/node_modules/.bin/wrangler d1 migrations apply DB --local",
    " 3200 /usr/bin/node /work/main/node_modules/.bin/vitest run",
    " 4000 npx tsx bench/run.ts",
    " 4100 vim dev/stack.ts",
  ].join("\n");

  it("finds workerd, wrangler dev and sandbox processes, and nothing else", () => {
    expect(otherWorkloads(ps, 4000).map((l) => l.split(" ")[0])).toEqual(["2951", "3039", "3056"]);
  });

  it("leaves out its own process and finds nothing on a quiet machine", () => {
    expect(otherWorkloads(" 3056 /x/workerd serve --binary", 3056)).toEqual([]);
    expect(otherWorkloads(["    1 /sbin/init", " 200 bash", ""].join("\n"), 999)).toEqual([]);
  });
});
