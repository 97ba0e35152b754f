import {
  BUILTIN_CRITERIA,
  type Condition,
  type Criterion,
  DEFAULT_ENGAGEMENT,
  type Engagement,
  type PropertyRef,
  QUALIFICATION_CRITERIA,
} from "../../shared/contracts/criteria";
import type { Rules } from "../../shared/contracts/rules";
import type { Properties } from "./mql";

// The criteria of a rules version compiled once into plain functions (regular expressions built,
// lists turned into sets), then run for every contact of a batch. Pure.

/** What a criterion is judged on: the contact's properties and its primary company's. */
export interface Subject {
  contact: Properties;
  company?: Properties;
}

export interface CompiledCriterion {
  criterion: Criterion;
  met: (subject: Subject, at: number) => boolean;
}

export interface CompiledRules {
  /** The rules' criteria, in order, built-in ones expanded. */
  criteria: CompiledCriterion[];
  /** Every criterion judged for the MQL: the built-in signals (always), then the rules' own. */
  reported: CompiledCriterion[];
  engagement: (contact: Properties) => number;
}

const DAY_MS = 86_400_000;
const compiled = new WeakMap<Rules, CompiledRules>();

/** The rules compiled, once per rules object (a batch judges hundreds of contacts with one). */
export function compileRules(rules: Rules): CompiledRules {
  let c = compiled.get(rules);
  if (!c) {
    const criteria = rules.criteria.map((entry) =>
      compileCriterion(typeof entry === "string" ? BUILTIN_CRITERIA[entry] : entry),
    );
    const builtins = QUALIFICATION_CRITERIA.map(
      (name) =>
        criteria.find((k) => k.criterion.name === name) ?? compileCriterion(BUILTIN_CRITERIA[name]),
    );
    const own = criteria.filter((k) => !(k.criterion.name in BUILTIN_CRITERIA));
    c = {
      criteria,
      reported: [...builtins, ...own],
      engagement: compileEngagement(rules.engagement ?? DEFAULT_ENGAGEMENT),
    };
    compiled.set(rules, c);
  }
  return c;
}

export function compileCriterion(criterion: Criterion): CompiledCriterion {
  const tests = criterion.conditions.map(compileCondition);
  const met =
    criterion.match === "any"
      ? (s: Subject, at: number) => tests.some((t) => t(s, at))
      : (s: Subject, at: number) => tests.every((t) => t(s, at));
  return { criterion, met };
}

function compileCondition(condition: Condition): (s: Subject, at: number) => boolean {
  const read = reader(condition.property);
  const test = compileTest(condition);
  return (s, at) => {
    const value = clean(read(s));
    return value !== undefined && test(value, at);
  };
}

function compileTest(c: Condition): (value: string, at: number) => boolean {
  switch (c.op) {
    case "exists":
      return () => true;
    case "equals": {
      if (typeof c.value === "number") {
        const n = c.value;
        return (v) => toNumber(v) === n;
      }
      const want = String(c.value).toLowerCase();
      return (v) => v.toLowerCase() === want;
    }
    case "in": {
      const set = new Set(c.value.map((v) => v.trim().toLowerCase()));
      return (v) => set.has(v.toLowerCase());
    }
    case "contains": {
      const part = c.value.toLowerCase();
      return (v) => v.toLowerCase().includes(part);
    }
    case "starts_with": {
      const start = c.value.toLowerCase();
      return (v) => v.toLowerCase().startsWith(start);
    }
    case "matches": {
      const re = new RegExp(c.value, "i");
      return (v) => re.test(v);
    }
    case "at_least": {
      const min = c.value;
      return (v) => (toNumber(v) ?? Number.NaN) >= min;
    }
    case "at_most": {
      const max = c.value;
      return (v) => (toNumber(v) ?? Number.NaN) <= max;
    }
    case "within_last_days": {
      const span = c.value * DAY_MS;
      // Up to a day ahead counts too: clocks and time zones differ a little.
      return (v, at) => {
        const t = toTime(v);
        return t !== undefined && t >= at - span && t <= at + DAY_MS;
      };
    }
  }
}

function compileEngagement(e: Engagement): (contact: Properties) => number {
  const points = e.points.map((p) => ({ read: reader(p.property), points: p.points }));
  return (contact) => {
    const hubspot = clean(contact.hubspotscore);
    const score = Number(hubspot);
    if (e.useHubSpotScore && hubspot !== undefined && Number.isFinite(score))
      return clamp(Math.round(score));
    let sum = 0;
    for (const p of points) sum += p.points * (wholeNumber(p.read({ contact })) ?? 0);
    return clamp(Math.round(sum));
  };
}

function reader(ref: PropertyRef): (s: Subject) => string | null | undefined {
  const dot = ref.indexOf(".");
  const name = ref.slice(dot + 1);
  return ref.startsWith("company.") ? (s) => s.company?.[name] : (s) => s.contact[name];
}

/** The HubSpot properties these rules read, beyond the ones the handoff always reads. */
export function propertiesRead(rules: Rules): { contact: string[]; company: string[] } {
  const refs = [
    ...rules.criteria.flatMap((entry) =>
      (typeof entry === "string" ? BUILTIN_CRITERIA[entry] : entry).conditions.map(
        (c) => c.property,
      ),
    ),
    ...(rules.engagement ?? DEFAULT_ENGAGEMENT).points.map((p) => p.property),
  ];
  return propertiesByObject(refs);
}

/** Property references (`contact.email`) as names by object, each once, sorted; pure. */
export function propertiesByObject(refs: string[]): { contact: string[]; company: string[] } {
  const of = (kind: string) =>
    [
      ...new Set(refs.filter((r) => r.startsWith(`${kind}.`)).map((r) => r.slice(kind.length + 1))),
    ].sort();
  return { contact: of("contact"), company: of("company") };
}

/** A condition in a marketer's words, e.g. "company numberofemployees at least 50". */
export function describeCondition(c: Condition): string {
  const [kind, name] = c.property.split(".") as [string, string];
  const what = `${kind === "company" ? "company " : ""}${name}`;
  switch (c.op) {
    case "exists":
      return `${what} filled in`;
    case "equals":
      return `${what} is ${JSON.stringify(c.value)}`;
    case "in":
      return `${what} one of ${c.value.join(", ")}`;
    case "contains":
      return `${what} contains "${c.value}"`;
    case "starts_with":
      return `${what} starts with "${c.value}"`;
    case "matches":
      return `${what} matches /${c.value}/`;
    case "at_least":
      return `${what} at least ${c.value}`;
    case "at_most":
      return `${what} at most ${c.value}`;
    case "within_last_days":
      return `${what} within the last ${c.value} days`;
  }
}

/** A criterion's conditions in words, joined by "and" or "or". */
export function describeCriterion(c: Criterion): string {
  return c.conditions.map(describeCondition).join(c.match === "any" ? " or " : " and ");
}

/** A HubSpot property value as judged: NFC, trimmed; empty is no value. */
export function clean(value: string | null | undefined): string | undefined {
  const trimmed = value?.normalize("NFC").trim();
  return trimmed ? trimmed : undefined;
}

function toNumber(value: string): number | undefined {
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** HubSpot's dates: epoch milliseconds, or ISO 8601 (a date property is midnight UTC). */
function toTime(value: string): number | undefined {
  const t = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isFinite(t) ? t : undefined;
}

/** A count (employees, page views): a whole number of at least 0, or null. */
export function wholeNumber(value: string | null | undefined): number | null {
  const v = clean(value);
  const n = Number(v);
  return v !== undefined && Number.isFinite(n) && n >= 0 ? Math.floor(n) : null;
}

const clamp = (n: number) => Math.max(0, Math.min(100, n));
