/** weft's version: from package.json in Node, written into the bundle by the browser build. */
import { packageVersion } from "./platform/package.js";

/** The package version. */
export const VERSION = packageVersion();
