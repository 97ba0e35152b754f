// Salesforce record ids: 15 case-sensitive characters, or 18 with a case-safe checksum suffix. A
// SOQL filter with an 18-character id whose suffix is wrong fails the whole query
// (INVALID_QUERY_FILTER_OPERATOR), so ids an admin typed are checked before they are sent.

const SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/** The 18-character form of a 15-character id: one suffix letter per 5-character chunk. */
export function salesforceId18(id15: string): string {
  let suffix = "";
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const ch = id15.charAt(chunk * 5 + i);
      if (ch >= "A" && ch <= "Z") bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET.charAt(bits);
  }
  return id15.slice(0, 15) + suffix;
}

/** True for a 15-character id, or an 18-character one whose suffix fits its first 15. */
export const hasValidChecksum = (id: string): boolean =>
  id.length === 15 ||
  salesforceId18(id.slice(0, 15)) === id.slice(0, 15) + id.slice(15).toUpperCase();

/** A user's key for counts, names and activity: 15 and 18-character forms of an Id are one user. */
export const userKey = (userId: string): string => userId.slice(0, 15);
