import type { CollateralVersion } from "../shared/contracts/collateral";
import { type AdminApi, CliError } from "./api";
import { type Io, readJsonFile } from "./commands";

type Flags = Record<string, string | boolean | undefined>;

/** One line per version: what sales sees, and how leads are credited to it. */
export function collateralLine(a: CollateralVersion): string {
  const credit = [
    ...a.attribution.conversionEvents.map((e) => `event "${e}"`),
    ...a.attribution.urlPatterns.map((p) => `url ${p}`),
    ...(a.attribution.leadSource ? [`source ${a.attribution.leadSource}`] : []),
  ];
  return `${a.assetId} ${a.version} ${a.status}: ${a.type} "${a.title}" for ${a.targetAudience} ${a.url}${a.tags.length ? ` [${a.tags.join(", ")}]` : ""}; credited by ${credit.join(", ") || "nothing"}`;
}

/**
 * `collateral list [--all] | add <file.json> | publish <assetId> <version> | archive <assetId>
 * <version>` (docs/admin.md#collateral).
 */
export async function collateral(api: AdminApi, args: string[], flags: Flags, io: Io) {
  const [action = "list", first, second] = args;
  if (action === "list") {
    const query =
      flags.all === true ? "?all=1" : first ? `?assetId=${encodeURIComponent(first)}` : "";
    const { assets } = await api.call<{ assets: CollateralVersion[] }>(
      "GET",
      `/admin/collateral${query}`,
    );
    if (flags.json === true) return io.out(JSON.stringify(assets, null, 2));
    if (!assets.length)
      return io.out("no published collateral (see --all for drafts and archived)");
    for (const a of assets) io.out(collateralLine(a));
    return;
  }
  if (action === "add") {
    if (!first)
      throw new CliError(
        "collateral add needs a JSON file: npm run admin -- collateral add asset.json",
      );
    const saved = await api.call<CollateralVersion>(
      "POST",
      "/admin/collateral",
      readJsonFile(first),
    );
    return io.out(`added ${collateralLine(saved)}`);
  }
  if (action === "publish" || action === "archive") {
    if (!first || !second)
      throw new CliError(
        `collateral ${action} needs an asset and a version: npm run admin -- collateral ${action} buyer-guide 2.1.0`,
      );
    const saved = await api.call<CollateralVersion>(
      "PUT",
      `/admin/collateral/${encodeURIComponent(first)}/${encodeURIComponent(second)}`,
      { status: action === "publish" ? "published" : "archived" },
    );
    return io.out(`${action === "publish" ? "published" : "archived"} ${collateralLine(saved)}`);
  }
  throw new CliError(`unknown collateral action "${action}" (list, add, publish, archive)`);
}
