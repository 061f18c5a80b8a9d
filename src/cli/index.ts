#!/usr/bin/env node
/** Entry point of the `weft` binary (dist/src/cli/index.js). */
import { main } from "./main.js";

// Node prints a warning with a footer that speaks to the program's author ("(Use `node
// --trace-warnings ...` to show where the warning was created)"); a command's user gets the
// warning alone, one line on stderr (the fits' own warnings are worded by the commands).
process.removeAllListeners("warning");
process.on("warning", (warning) => process.stderr.write(`warning: ${warning.message}\n`));

process.exitCode = await main(process.argv.slice(2));
