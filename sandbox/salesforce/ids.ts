// Salesforce record ids: 3-char key prefix, 12 chars of body, and a 3-char case-safe checksum.

const SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const POD = "8d0";

/**
 * The 18-char form: each 5-char chunk of the 15-char id yields one suffix char from its uppercase
 * bitmap.
 */
export function to18(id15: string): string {
  let suffix = "";
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const ch = id15.charAt(chunk * 5 + i);
      if (ch >= "A" && ch <= "Z") bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET.charAt(bits);
  }
  return id15 + suffix;
}

/** Canonical 18-char id, or null when the text is not a well-formed id. */
export function normalizeId(raw: string): string | null {
  if (!/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(raw)) return null;
  const full = to18(raw.slice(0, 15));
  if (raw.length === 18 && raw.slice(15).toUpperCase() !== full.slice(15)) return null;
  return full;
}

function base62(n: number, width: number): string {
  let out = "";
  let rest = n;
  while (rest > 0) {
    out = BASE62.charAt(rest % 62) + out;
    rest = Math.floor(rest / 62);
  }
  return out.padStart(width, "0");
}

export class IdFactory {
  private next = new Map<string, number>();

  /** Ids start well above zero so they look like a live org's, and stay unique per prefix. */
  make(prefix: string): string {
    const n = this.next.get(prefix) ?? 0x2f4a1c;
    this.next.set(prefix, n + 1);
    return to18(prefix + POD + base62(n, 9));
  }
}
