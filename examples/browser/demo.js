// The demo page's script: weft's browser build, imported as any page would import it.
import * as weft from "../../dist/browser/index.js";

const $ = (id) => document.getElementById(id);
const MODELS = { logistic: weft.LogisticRegression, linear: weft.LinearRegression, poisson: weft.PoissonRegression };
const DEFAULT_TARGET = { logistic: "bought", linear: "items", poisson: "items" };
const MAX_ITER = 200;

const runtime = await weft.Runtime.start();
$("environment").textContent =
  `weft ${weft.VERSION}: ${runtime.threads} thread${runtime.threads === 1 ? "" : "s"}, ` +
  `${runtime.kernels.backend} kernels` +
  (self.crossOriginIsolated ? ", cross-origin isolated" : " (this page is not cross-origin isolated: one thread)");

/** What to read: a File from the input, or the sample's URL. */
let source;

async function headerOf(chosen) {
  const text = typeof chosen === "string" ? await (await fetch(chosen)).text() : await chosen.slice(0, 65536).text();
  const line = text.split(/\r?\n/, 1)[0] ?? "";
  return line.split(/[,\t]/).map((name) => name.trim().replace(/^"|"$/g, ""));
}

async function choose(chosen, description) {
  source = chosen;
  $("source").textContent = description;
  const columns = await headerOf(chosen);
  const target = $("target");
  target.replaceChildren(...columns.map((name) => new Option(name, name)));
  const preferred = DEFAULT_TARGET[$("family").value];
  if (columns.includes(preferred)) target.value = preferred;
  else target.value = columns[columns.length - 1];
  target.disabled = false;
  $("fit").disabled = false;
}

$("file").addEventListener("change", (event) => {
  const file = event.target.files?.[0];
  if (file) void choose(file, `${file.name} (${file.size.toLocaleString()} bytes)`).catch(showError);
});
$("use-sample").addEventListener("click", () => {
  void choose(new URL("./sample.csv", import.meta.url).href, "sample.csv: 2,000 shoppers, four raw features").catch(showError);
});
$("family").addEventListener("change", () => {
  const preferred = DEFAULT_TARGET[$("family").value];
  if ([...$("target").options].some((o) => o.value === preferred)) $("target").value = preferred;
});

function showError(error) {
  $("error").textContent = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  document.body.dataset.state = "error";
}

$("fit").addEventListener("click", async () => {
  $("error").textContent = "";
  $("fit").disabled = true;
  document.body.dataset.state = "fitting";
  const progress = $("progress");
  progress.value = 0;
  try {
    const family = $("family").value;
    const table = await weft.readCsv(source, { target: $("target").value, missing: "drop" });
    const model = new MODELS[family]({
      runtime,
      lambda: Number($("lambda").value),
      maxIter: MAX_ITER,
      onIteration: ({ iteration }) => {
        progress.value = Math.min(1, iteration / MAX_ITER);
      },
    });
    runtime.clearProfile();
    const started = performance.now();
    await model.fit(table.X, table.y);
    const seconds = (performance.now() - started) / 1000;
    const score = await model.score(table.X, table.y);
    progress.value = 1;
    const scoreName = family === "logistic" ? "accuracy" : family === "linear" ? "R²" : "D² (Poisson deviance explained)";
    $("summary").textContent =
      `${family} fit on ${table.rows.toLocaleString()} rows x ${table.features.length} features in ${seconds.toFixed(3)} s: ` +
      `${model.nIter} iterations, ${model.converged ? "converged" : "not converged"}; ${scoreName} ${score.toFixed(4)}.`;
    const rows = [...table.features.map((name, j) => [name, model.coef[j]]), ["(intercept)", model.intercept]];
    $("coefficients").tBodies[0].replaceChildren(
      ...rows.map(([name, value]) => {
        const tr = document.createElement("tr");
        tr.append(Object.assign(document.createElement("td"), { textContent: name }));
        tr.append(Object.assign(document.createElement("td"), { textContent: Number(value).toPrecision(6) }));
        return tr;
      }),
    );
    $("timeline").innerHTML = weft.renderTimeline(runtime.profile().events, { width: 940, title: `${family} fit` });
    $("result").hidden = false;
    document.body.dataset.state = "done";
  } catch (error) {
    showError(error);
  } finally {
    $("fit").disabled = false;
  }
});
