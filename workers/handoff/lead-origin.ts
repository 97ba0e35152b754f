import { clean } from "./criteria";
import type { Properties } from "./mql";

/**
 * What a contact converted on, for crediting it to collateral (docs/report.md, content usage):
 * its conversion event or form (recent_conversion_event_name) and its first URL without the
 * query string or fragment (they can carry an address or a campaign's personal tokens).
 */
export function leadOrigin(contact: Properties): {
  conversion_event: string | null;
  first_url: string | null;
} {
  const url = clean(contact.hs_analytics_first_url)?.replace(/[?#].*$/s, "");
  return {
    conversion_event: clean(contact.recent_conversion_event_name)?.slice(0, 200) ?? null,
    first_url: url ? url.slice(0, 500) : null,
  };
}
