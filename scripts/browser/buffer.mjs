// Node's Buffer for the browser build, where csv-parse's state machine uses it (esbuild `inject`).
export { Buffer } from "buffer";
