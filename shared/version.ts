import { version } from "../package.json";

// A named import: the bundler keeps only this field of package.json, not its scripts and
// dependency lists.
export const VERSION: string = version;
