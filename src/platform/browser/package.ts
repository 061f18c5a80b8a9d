/** weft's version in the browser build: written into the bundle from package.json when it is built. */
declare const __WEFT_VERSION__: string | undefined;

export function packageVersion(): string {
  return typeof __WEFT_VERSION__ === "string" ? __WEFT_VERSION__ : "unknown";
}
