import type {
  FieldMapping,
  Mapping,
  MqlValue,
  Source,
  Transform,
} from "../../shared/contracts/mapping";
import type { DescribedField, LeadDescribe } from "../../shared/salesforce/describe";

// A mapping checked against the Lead's describe before it is saved (docs/mapping.md, "Checked
// against Salesforce"): every problem names the field and says what to change, one per cause.

/** One problem of one mapped field, for the 400 that names each field. */
export interface FieldProblem {
  /** The index in mapping.fields, or null for a problem of the whole mapping (a required field not covered). */
  index: number | null;
  field: string;
  problem: string;
}

/** What a source gives once its transforms ran. `empty` is a null constant: it fits any field. */
type Kind = "text" | "number" | "boolean" | "date" | "list" | "empty";
type FieldKind = "text" | "number" | "boolean" | "date" | "other";

const FIELD_KINDS: Record<string, FieldKind> = {
  string: "text",
  textarea: "text",
  email: "text",
  phone: "text",
  url: "text",
  picklist: "text",
  multipicklist: "text",
  combobox: "text",
  encryptedstring: "text",
  id: "text",
  reference: "text",
  int: "number",
  long: "number",
  double: "number",
  currency: "number",
  percent: "number",
  boolean: "boolean",
  date: "date",
  datetime: "date",
};

const MQL_KINDS: Partial<Record<MqlValue, Kind>> = {
  engagementScore: "number",
  "firmographics.employeeCount": "number",
  qualificationCriteriaMet: "list",
};

/** The transform that turns a source of each kind into what a field of each kind takes. */
const CONVERSION: Record<"number" | "boolean" | "date", string> = {
  number: "a number transform",
  boolean: "a boolean transform",
  date: "a date transform",
};

/** What is wrong with a mapping against the Lead's describe; empty when it can be saved. Pure. */
export function checkMapping(mapping: Mapping, describe: LeadDescribe): FieldProblem[] {
  const byName = new Map(describe.fields.map((f) => [f.name.toLowerCase(), f]));
  const problems: FieldProblem[] = [];
  mapping.fields.forEach((mapped, index) => {
    const field = byName.get(mapped.field.toLowerCase());
    const add = (problem: string) => problems.push({ index, field: mapped.field, problem });
    if (!field) {
      add(`Salesforce's Lead has no field ${mapped.field}`);
      return;
    }
    for (const problem of fieldProblems(mapped, field)) add(problem);
  });
  const covered = new Set(mapping.fields.map((f) => f.field.toLowerCase()));
  for (const field of describe.fields) {
    const required =
      !field.nillable && field.createable && !field.defaultedOnCreate && !field.externalId;
    if (required && !covered.has(field.name.toLowerCase()))
      problems.push({
        index: null,
        field: field.name,
        problem: `${field.name} is required by Salesforce and nothing fills it`,
      });
  }
  return problems;
}

function fieldProblems(mapped: FieldMapping, field: DescribedField): string[] {
  const name = field.name;
  if (!field.createable && !field.updateable) return [`${name} is read-only in Salesforce`];
  const problems: string[] = [];
  // Leadbridge upserts: the same mapping creates new Leads and updates existing ones.
  if (!field.updateable)
    problems.push(
      `${name} can be set in Salesforce only when a Lead is created, and Leadbridge also updates Leads`,
    );
  if (!field.createable)
    problems.push(
      `${name} cannot be set in Salesforce when a Lead is created, and Leadbridge creates Leads`,
    );
  const out = evaluate(mapped.from, mapped.transforms, field);
  const typeProblem = kindProblem(out.kind, field, mapped.from);
  if (typeProblem) return [...problems, typeProblem];
  if (FIELD_KINDS[field.type] !== "text") return problems;
  const values = [...new Set(out.values.filter((v): v is string => v !== null))];
  const what = "constant" in mapped.from ? "the constant" : "the value map";
  if (field.restrictedPicklist) {
    const allowed = new Set(field.picklistValues);
    const parts = field.type === "multipicklist" ? values.flatMap((v) => v.split(";")) : values;
    const refused = [...new Set(parts.filter((v) => !allowed.has(v)))];
    if (refused.length > 0)
      problems.push(
        `${name} is a restricted picklist in Salesforce (${field.picklistValues.join(", ")}): ${what} gives ${refused.join(", ")}, which it refuses`,
      );
  }
  const tooLong = values.filter((v) => field.length > 0 && v.length > field.length);
  if (tooLong.length > 0)
    problems.push(
      `${name} holds ${field.length} characters in Salesforce and ${what} gives ${Math.max(...tooLong.map((v) => v.length))}: shorten it or add a truncate transform`,
    );
  return problems;
}

/** Why a value of `kind` cannot go into `field`, or undefined when it can. */
function kindProblem(kind: Kind, field: DescribedField, from: Source): string | undefined {
  const want = FIELD_KINDS[field.type] ?? "other";
  if (kind === "list")
    return `${field.name} gets a list (${sourceName(from)}): add a join transform to make it text`;
  if (kind === "empty" || want === "other" || want === kind) return undefined;
  // Salesforce takes numbers, booleans and dates in a text field as their text.
  if (want === "text") return undefined;
  const hint = kind === "text" ? `: add ${CONVERSION[want]}` : "";
  return `${field.name} is a ${want} field (${field.type}) in Salesforce and gets ${kind === "text" ? "text" : `a ${kind}`} from ${sourceName(from)}${hint}`;
}

function sourceName(from: Source): string {
  if ("property" in from) return from.property;
  if ("mql" in from) return `the MQL's ${from.mql}`;
  if ("constant" in from) return `the constant ${JSON.stringify(from.constant)}`;
  return "the template";
}

/**
 * The kind of value a source gives after its transforms and, for text, the values it can give that
 * are known before any contact is read: a constant's, and a value map's outputs. Follows
 * toLeadFields (workers/handoff/lead-mapping.ts): every transform but trim and join makes a
 * number or a list text.
 */
function evaluate(
  from: Source,
  transforms: Transform[],
  field: DescribedField,
): { kind: Kind; values: (string | null)[] } {
  let kind: Kind;
  let values: (string | null)[] = [];
  if ("constant" in from) {
    const c = from.constant;
    kind = c === null ? "empty" : typeof c === "string" ? "text" : (typeof c as "number");
    values = c === null ? [] : [String(c)];
  } else if ("mql" in from) kind = MQL_KINDS[from.mql] ?? "text";
  else kind = "text";
  for (const t of transforms) {
    if (kind === "empty") break;
    switch (t.kind) {
      case "number":
      case "date":
      case "boolean":
        kind = t.kind;
        values = [];
        break;
      case "join":
        if (kind === "list") kind = "text";
        break;
      case "trim":
        values = values.map((v) => v?.trim() ?? v);
        break;
      case "map": {
        // A known value is looked up; any other input can give any of the map's outputs.
        const look = (v: string | null) =>
          v !== null && Object.hasOwn(t.values, v)
            ? t.values[v]!
            : t.default !== undefined
              ? t.default
              : v;
        values =
          values.length > 0
            ? values.map(look)
            : [...Object.values(t.values), ...(t.default !== undefined ? [t.default] : [])];
        kind = "text";
        break;
      }
      default:
        kind = "text";
        values = values.map((v) => (v === null ? v : textTransform(t, v, field)));
    }
  }
  return { kind, values };
}

function textTransform(t: Transform, v: string, field: DescribedField): string {
  switch (t.kind) {
    case "prefix":
      return t.text + v;
    case "truncate":
      return v.slice(0, t.length === "field" ? field.length || v.length : t.length);
    case "case":
      if (t.to === "upper") return v.toUpperCase();
      if (t.to === "lower") return v.toLowerCase();
      return v
        .toLowerCase()
        .replace(/(^|[\s\-/])(\p{L})/gu, (_, sep: string, c: string) => sep + c.toUpperCase());
    default:
      return v;
  }
}

/** The 400's message: each problem after the body path of its field, e.g. `body.mapping.fields[2].field`. */
export function describeProblems(problems: FieldProblem[]): string {
  return problems
    .map((p) =>
      p.index === null
        ? `body.mapping: ${p.problem}`
        : `body.mapping.fields[${p.index}].field: ${p.problem}`,
    )
    .join("; ");
}
