// `npm run admin -- <command>`: the admin API from a terminal, for a local or deployed Worker.
import { parseArgs } from "node:util";
import { AdminApi, CliError } from "./api";
import { collateral } from "./collateral";
import {
  backfill,
  type Io,
  mapping,
  outcomes,
  replay,
  report,
  resync,
  routing,
  rules,
  subscriptions,
} from "./commands";
import { config, quotas, reps } from "./quotas";
import { requirements } from "./requirements";

export const HELP = `Leadbridge admin

Usage: npm run admin -- <command> [options]

Commands:
  resync <contactId> [...]          judge contacts again now (at most 500)
  backfill --since <date> [--until <date>] [--dry-run] [--property createdate|lastmodifieddate] [--page-size n]
                                    walk HubSpot contacts in the range into the handoff, with a progress bar
  backfill --status <jobId> | --resume <jobId> | --cancel <jobId>
  replay [--list]                   list open dead letters
  replay <id> [...] | --all         re-enqueue dead letters
  report [--date YYYY-MM-DD] [--run YYYY-MM-DD] [--json]
                                    the funnel report (latest, for a date, or run the telemetry first)
  rules [get [--version n] | versions | set <file.json> [--note text] | reset [--note text]]
                                    reset saves the default rules as a new version
  rules preview [<file.json>] [--mapping <mapping.json>] [--days n]
                                    what those rules and/or that field mapping would change for the
                                    contacts judged in the last n days (default 30): flips each way,
                                    reasons, sources, Lead fields changed; saves nothing
  mapping [get [--version n] | versions | set <file.json> [--note text]]
                                    the Salesforce Lead field mapping; set saves a new version once
                                    Salesforce's describe accepts it (else each field at fault)
  routing [get [--version n] | versions | set <file.json> [--note text]]
                                    who owns new Leads (pools, members, caps, SLAs); set saves a
                                    new version once Salesforce knows every user it names as
                                    active (else each one at fault); without a timeZone the
                                    org's is stored
  routing preview <file.json> [--days n]
                                    how that routing would have spread the new Leads of the last
                                    n days (default 30) over its pools and members, against caps;
                                    saves nothing
  requirements [list] [--top n] [--status open|planned|shipped|all] [--json]
                                    the requirement pool ranked by RICE, with the open and lost
                                    deal amount behind each requirement
  requirements show <id> | unassigned
                                    a requirement's requests; the requests in none yet
  requirements group <title> <requestId> [...] | attach <id> <requestId> [...] | merge <id> --into <id>
                                    group Salesforce feature requests into requirements (a request
                                    is in one: attaching moves it; merging moves all)
  requirements set <id> [--impact 0.25|0.5|1|2|3] [--confidence 0.5|0.8|1] [--effort days]
                   [--status open|planned|shipped] [--title text]
                                    RICE inputs and status; shipped sends each owner of a linked
                                    open or lost deal one Salesforce Task, once
  collateral [list [--all | <assetId>] [--json] | add <file.json>]
                                    the collateral sales sees (the latest published version of
                                    each asset; --all every version); add saves a new asset or a
                                    version above its highest (draft unless "status": "published")
  collateral publish|archive <assetId> <version>
                                    publish a version (the highest published is what sales sees)
                                    or archive it; a published version's content never changes
  outcomes run [--json]             the outcome sync now: Salesforce Lead status and deals to HubSpot
  subscriptions [show | sync] [--json]
                                    HubSpot webhook subscriptions the rules need: missing, extra;
                                    sync creates the missing ones (extras are left)
  quotas [get [--json] | set <file.json>]
                                    reps' monthly quotas: month "*" is the standing one, a YYYY-MM
                                    row overrides it; set replaces the quotas of each rep the file
                                    lists ({"reps":[{"rep":"<User Id or Username>","quotas":
                                    [{"month":"*","amount":50000}]}]}, as get --json prints it)
                                    once Salesforce knows each rep
  reps [list [--json] | set-start <userId> <YYYY-MM-DD|none>]
                                    reps and the start date time to ramp counts from; set-start
                                    overrides Salesforce's Start_Date__c (none drops the override)
  config [get [--json] | set rampQuotaShare=<0-1> staleAfterDays=<1-90>]
                                    the report settings; the next report uses them

Options:
  --url <url>      the Worker (default http://127.0.0.1:8787)
  --no-follow      start a backfill and return at once
  -h, --help       this text

The admin token is read from LEADBRIDGE_ADMIN_TOKEN.`;

const COMMANDS = {
  resync,
  backfill,
  replay,
  report,
  rules,
  mapping,
  routing,
  collateral,
  outcomes,
  subscriptions,
  requirements,
  quotas,
  reps,
  config,
};

export async function main(argv: string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      url: { type: "string", default: "http://127.0.0.1:8787" },
      help: { type: "boolean", short: "h" },
      since: { type: "string" },
      until: { type: "string" },
      "dry-run": { type: "boolean" },
      property: { type: "string" },
      "page-size": { type: "string" },
      status: { type: "string" },
      resume: { type: "string" },
      cancel: { type: "string" },
      "no-follow": { type: "boolean" },
      list: { type: "boolean" },
      all: { type: "boolean" },
      date: { type: "string" },
      run: { type: "string" },
      json: { type: "boolean" },
      version: { type: "string" },
      note: { type: "string" },
      days: { type: "string" },
      mapping: { type: "string" },
      top: { type: "string" },
      impact: { type: "string" },
      confidence: { type: "string" },
      effort: { type: "string" },
      into: { type: "string" },
      title: { type: "string" },
    },
  });
  const [name, ...args] = positionals;
  if (values.help || !name) {
    io.out(HELP);
    return values.help ? 0 : 1;
  }
  const command = COMMANDS[name as keyof typeof COMMANDS];
  if (!command) throw new CliError(`unknown command "${name}"; see --help`);
  const token = env.LEADBRIDGE_ADMIN_TOKEN;
  if (!token) throw new CliError("set LEADBRIDGE_ADMIN_TOKEN to the Worker's ADMIN_TOKEN");
  await command(new AdminApi(values.url!, token), args, values, io);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2), process.env, {
    out: (line) => console.log(line),
    tty: Boolean(process.stderr.isTTY),
    progress: process.stderr,
    pollMs: 1000,
  })
    .then((code) => process.exit(code))
    .catch((err: unknown) => {
      console.error(
        err instanceof CliError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
          ? `error: ${(err as Error).message}`
          : err,
      );
      process.exit(1);
    });
}
