/**
 * The `weft` command line. Exit codes: 0 on success, 2 on a usage error (unknown command or
 * option, bad argument), 1 on any other failure; every error is one line on stderr.
 */
import { Command, CommanderError, Option } from "commander";
import { ArgumentError } from "../errors.js";
import { BACKENDS, type BackendName } from "../kernels/index.js";
import { VERSION } from "../version.js";
import { collectInfo, formatInfo } from "./info.js";
import { runBench, SUITES } from "./bench.js";
import { PROFILE_SUITES, runProfile } from "./profile.js";

export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIO: CliIO = {
  out: (text) => process.stdout.write(text + "\n"),
  err: (text) => process.stderr.write(text + "\n"),
};

function buildProgram(io: CliIO): Command {
  const program = new Command("weft")
    .description("weft: a task runtime with near-zero scheduling cost, SIMD WebAssembly kernels and GLM solvers")
    .version(VERSION, "-V, --version")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError("(run 'weft --help' for usage)");

  program
    .command("info")
    .description("print the version, kernel backend, SIMD support, thread count and memory limit")
    .option("--json", "print one JSON object: { version, backend, simd, threads, memoryMaxBytes }")
    .addOption(new Option("--backend <name>", "force a backend").choices(["auto", ...BACKENDS]))
    .action(async (options: { json?: boolean; backend?: BackendName | "auto" }) => {
      const info = await collectInfo(options.backend);
      io.out(options.json ? JSON.stringify(info) : formatInfo(info));
    });

  program
    .command("bench")
    .description(`run a benchmark suite (${SUITES.join(", ")}) and print its results`)
    .argument("<suite>", `the suite: ${SUITES.join(", ")}`)
    .option("--json", "print the results as JSON on stdout")
    .option("--quick", "small sizes and short timings (a smoke run, not a measurement)")
    .option("--backends <list>", `comma-separated backends to measure (default: ${BACKENDS.join(",")})`)
    .option("--only <kernels>", "comma-separated kernel names to measure")
    .option("--quiet", "no progress bar")
    .option("--no-python", "skip the Python references (numpy, dask), even when installed")
    .action(async (suite: string, options) => {
      await runBench(suite, options, io.out);
    });

  program
    .command("profile")
    .description(`run a suite (${PROFILE_SUITES.join(", ")}) once with task timings and write its task stream as an HTML page`)
    .argument("<suite>", `the suite: ${PROFILE_SUITES.join(", ")}`)
    .requiredOption("--out <file>", "the HTML file to write")
    .action(async (suite: string, options: { out: string }) => {
      await runProfile(suite, options, io.out);
    });

  return program;
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIO = defaultIO): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version are "errors" to commander; they succeed for the user
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") return 0;
      return 2;
    }
    if (error instanceof ArgumentError) {
      io.err(`weft: ${error.message}`);
      return 2;
    }
    io.err(`weft: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
