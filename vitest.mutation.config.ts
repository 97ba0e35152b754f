import { defineConfig } from "vitest/config";

// Mutation testing (`npm run mutate`): the pure modules where a mistake costs most (judging,
// signatures, coalescing, feedback) and their table tests, run in plain Node, which has the
// same WebCrypto. Stryker mutates the modules and reruns these tests against each mutant.
export default defineConfig({
  test: {
    name: "mutation",
    environment: "node",
    include: [
      "test/workers/judgement.test.ts",
      "test/workers/signature.test.ts",
      "test/node/subscribed-properties.test.ts",
    ],
  },
});
