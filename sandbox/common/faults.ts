import { z } from "zod";

// A fault rule, switchable at run time through POST /__sandbox/faults.
// `path` is a substring or /regex/ matched against the request path; `rate` is the
// probability a matching request is hit; `times` caps how many requests it hits.
export const FaultRule = z.object({
  kind: z.string().min(1),
  path: z.string().optional(),
  method: z.string().optional(),
  rate: z.number().min(0).max(1).default(1),
  times: z.number().int().positive().optional(),
  every: z.number().int().positive().optional(),
  ms: z.number().int().nonnegative().optional(),
  status: z.number().int().optional(),
});
export type FaultRule = z.infer<typeof FaultRule>;

type ActiveRule = FaultRule & { hits: number; seen: number };

export class FaultBoard {
  private rules: ActiveRule[] = [];

  set(rules: FaultRule[]): void {
    this.rules = rules.map((r) => ({ ...r, hits: 0, seen: 0 }));
  }

  add(rule: FaultRule): void {
    this.rules.push({ ...rule, hits: 0, seen: 0 });
  }

  clear(): void {
    this.rules = [];
  }

  list(): ActiveRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /** Rules that fire for this request, consuming their budget. */
  pick(method: string, path: string, kinds?: string[]): ActiveRule[] {
    const fired: ActiveRule[] = [];
    for (const rule of this.rules) {
      if (kinds && !kinds.includes(rule.kind)) continue;
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (rule.path && !matchesPath(rule.path, path)) continue;
      if (rule.times !== undefined && rule.hits >= rule.times) continue;
      rule.seen += 1;
      const due = rule.every ? rule.seen % rule.every === 0 : Math.random() < rule.rate;
      if (!due) continue;
      rule.hits += 1;
      fired.push(rule);
    }
    return fired;
  }
}

function matchesPath(pattern: string, path: string): boolean {
  if (pattern.length > 2 && pattern.startsWith("/") && pattern.endsWith("/")) {
    return new RegExp(pattern.slice(1, -1)).test(path);
  }
  return path.includes(pattern);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
