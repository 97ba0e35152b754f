import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Stack } from "../../dev/stack";

/** Everything wrangler wrote to its debug logs for an isolated stack (kept in its state folder). */
export function wranglerLog(stack: Stack): string {
  const dir = path.join(stack.stateDir!, "wrangler-logs");
  return readdirSync(dir)
    .map((file) => readFileSync(path.join(dir, file), "utf8"))
    .join("\n");
}
