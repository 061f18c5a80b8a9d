#!/usr/bin/env node
/** Entry point of the `weft` binary (dist/src/cli/index.js). */
import { main } from "./main.js";

process.exitCode = await main(process.argv.slice(2));
