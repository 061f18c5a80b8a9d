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
import { PROFILE_FORMATS, PROFILE_SUITES, runProfile, type ProfileCommandOptions } from "./profile.js";
import { runFit, type FitOptions } from "./fit.js";
import { runPredict, type PredictOptions } from "./predict.js";
import { runWorker, type WorkerCommandOptions } from "./worker.js";
import { runClusterStatus, type ClusterStatusOptions } from "./cluster.js";

/** The NATS credential and TLS options of every command that reaches a cluster. */
function natsOptions(command: Command): Command {
  return command
    .option("--token <token>", "a token the NATS server requires")
    .option("--user <user>", "a user the NATS server requires (with --password)")
    .option("--password <password>", "the user's password")
    .option("--creds <file>", "a NATS .creds file")
    .option("--tls-ca <file>", "a CA certificate to trust")
    .option("--tls-cert <file>", "a client certificate")
    .option("--tls-key <file>", "the client certificate's key");
}

export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIO: CliIO = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

function buildProgram(io: CliIO): Command {
  const program = new Command("weft")
    .description("weft: a task runtime with near-zero scheduling cost, SIMD WebAssembly kernels and GLM solvers")
    .version(VERSION, "-V, --version")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError("(run 'weft --help' for usage)");

  program
    .command("fit")
    .description("fit a GLM to a data file (.csv, .tsv, .npy, .parquet, .arrow, .arrows, .feather; a path or a URL) and print or save it")
    .argument("<file>", "the data: a path, file://, or http(s):// URL")
    .requiredOption("--target <column>", "the response column (for .npy: its index)")
    .option("--features <list>", "comma-separated feature columns (default: all but the target)")
    .addOption(new Option("--family <name>", "the GLM family").choices(["logistic", "normal", "poisson"]).default("logistic"))
    .addOption(
      new Option("--solver <name>", "the solver (default: lbfgs, or proximal_grad with an L1 part)").choices([
        "lbfgs",
        "newton",
        "gradient_descent",
        "proximal_grad",
        "admm",
      ]),
    )
    .addOption(new Option("--regularizer <name>", "the penalty").choices(["l1", "l2", "elastic_net", "none"]).default("l2"))
    .option("--lambda <x>", "the penalty weight (1/C of scikit-learn; default 1)")
    .option("--l1-ratio <a>", "elastic net's L1 share, in [0, 1]")
    .option("--intercept", "fit an intercept (the default)")
    .option("--no-intercept", "no intercept")
    .option("--standardize", "scale each feature to mean 0 and population standard deviation 1 first")
    .option("--max-iter <n>", "most solver iterations")
    .option(
      "--tol <t>",
      "the stopping tolerance: the fit has converged when its optimality residual (the gradient, or the KKT residual with an L1 part, scaled to the data) is at most this (default 1e-8)",
    )
    .option("--fista", "proximal_grad: FISTA's momentum with adaptive restart (the default)")
    .option("--no-fista", "proximal_grad: plain proximal gradient steps")
    .option("--threads <n>", "threads, this one included (default: all cores)")
    .option(
      "--cluster <url>",
      "fit on the workers of the weft cluster at this NATS server (nats://HOST:PORT): they read the file (a path each sees, or a URL), this process sums their answers",
    )
    .option("--token <token>", "--cluster: a token the NATS server requires")
    .option("--user <user>", "--cluster: a user the NATS server requires (with --password)")
    .option("--password <password>", "--cluster: the user's password")
    .option("--creds <file>", "--cluster: a NATS .creds file")
    .option("--tls-ca <file>", "--cluster: a CA certificate to trust")
    .option("--tls-cert <file>", "--cluster: a client certificate")
    .option("--tls-key <file>", "--cluster: the client certificate's key")
    .option("--out <model.json>", "write the fitted model here (never over the input; over an existing file only with --force)")
    .option("--force", "let --out replace an existing file")
    .option(
      "--json",
      "print { coef, intercept, objective, nIter, converged, optimality, tol, warnings, seconds, features } on stdout and nothing else",
    )
    .option("--delimiter <char>", "CSV delimiter (default: comma, tab for .tsv)")
    .option("--missing <policy>", "empty or NA cells: error (default), drop the row, or a number to fill in")
    .option("--no-header", "the CSV has no header row: columns are named 0, 1, ...")
    .option("--quiet", "no progress bar")
    .action(async (file: string, options: FitOptions) => {
      await runFit(file, options, io.out, io.err);
    });

  program
    .command("predict")
    .description(
      "predict with a model saved by 'weft fit --out' on a data file; writes CSV (the --id column or the row number when given, the prediction, and the probability for logistic models)",
    )
    .argument("<model>", "the model JSON")
    .argument("<file>", "the data: its columns must include the model's features")
    .option(
      "--out <file.csv>",
      "write the predictions here (default: stdout; never over an input; over an existing file only with --force)",
    )
    .option("--force", "let --out replace an existing file")
    .option("--threads <n>", "threads, this one included")
    .option("--delimiter <char>", "CSV delimiter (default: comma, tab for .tsv)")
    .option(
      "--missing <policy>",
      "empty or NA cells: error (default), drop the row, or a number; rows dropped, the output says which input row each prediction is for (--id, or a 0-based row column)",
    )
    .option("--id <column>", "write this column of the input first, as text, beside each row's prediction (for .npy: its index)")
    .option("--no-header", "the CSV has no header row: columns are named 0, 1, ...")
    .option("--json", "print { rows, columns: { name: values } } on stdout and nothing else ({ rows, out } with --out)")
    .option("--quiet", "no progress bar")
    .action(async (model: string, file: string, options: PredictOptions) => {
      await runPredict(model, file, options, io.out);
    });

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
    .option("--out <dir>", "bench all: where REPORT.md, its charts and the raw JSON go (default bench/results)")
    .action(async (suite: string, options) => {
      await runBench(suite, options, io.out);
    });

  program
    .command("profile")
    .description(
      `run a suite (${PROFILE_SUITES.join(", ")}) or a script of yours (--script) with task timings and write its task stream as an HTML page or a trace`,
    )
    .argument("[suite]", `the suite: ${PROFILE_SUITES.join(", ")} (none with --script)`)
    .requiredOption("--out <file>", "the file to write (never over the script; over an existing file only with --force)")
    .option("--force", "let --out replace an existing file")
    .addOption(
      new Option(
        "--format <format>",
        "html: a page with the task streams; trace: Chrome Trace Event JSON for https://ui.perfetto.dev or chrome://tracing (default: trace for a .json file, else html)",
      ).choices(PROFILE_FORMATS),
    )
    .option("--script <file>", "profile this ES module instead: every computation it makes on the default runtime")
    .option("--rows <n>", "glm: rows of the synthetic problem (default 1,000,000)")
    .action(async (suite: string | undefined, options: ProfileCommandOptions) => {
      await runProfile(suite, options, io.out);
    });

  natsOptions(
    program
      .command("worker")
      .description("serve as a worker of a weft cluster on NATS (weftjs/cluster) until SIGINT or SIGTERM")
      .requiredOption("--nats <url>", "the NATS server, nats://HOST:PORT (several: comma-separated)")
      .option("--threads <n>", "threads of this worker's runtime (default: the machine's cores)")
      .option("--name <name>", "the worker's name in `weft cluster status` (default: its id)")
      .option("--prefix <prefix>", "the cluster's subject prefix (default weft)")
      .option("--heartbeat-ms <ms>", "milliseconds between heartbeats (default 1000)"),
  ).action(async (options: WorkerCommandOptions) => {
    await runWorker(options, io.out);
  });

  const cluster = program.command("cluster").description("a weft cluster on NATS: its state");
  natsOptions(
    cluster
      .command("status")
      .description("the workers registered (live or silent), their threads, memory and the datasets they hold")
      .requiredOption("--nats <url>", "the NATS server, nats://HOST:PORT")
      .option("--prefix <prefix>", "the cluster's subject prefix (default weft)")
      .option("--json", "print JSON"),
  ).action(async (options: ClusterStatusOptions) => {
    await runClusterStatus(options, io.out);
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
      // help and version are "errors" to commander; asked for (--help, `weft help`), they
      // succeed; help printed because no command came is a usage error (commander's exit code 1)
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return 0;
      if (error.code === "commander.help") return error.exitCode === 0 ? 0 : 2;
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
