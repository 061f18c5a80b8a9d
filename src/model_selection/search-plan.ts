/**
 * What a grid search fits, as a list of tasks, worked out before anything is fitted: every
 * candidate (each combination of the grid's values), candidates grouped by their upstream
 * (pipeline transformer) settings, each group's candidates along lambda descending, and that path
 * cut into segments of at most `pathSegment` candidates. A task is one fold and one segment: its
 * candidates are fitted in order, each warm-started from the one before. The same plan runs in one
 * process and on a cluster's workers, so both compute the same fits. Pure: tested on literal grids.
 */

/** One unit of a search: the candidates (indices, lambda descending) of one segment, fitted on one fold. */
export interface SearchTask {
  fold: number;
  /** The upstream group the segment belongs to (its transformers' settings). */
  group: number;
  /** Candidate indices, fitted in this order, each from the previous one's solution. */
  members: number[];
}

/** Every candidate, the groups sharing upstream settings, and the tasks, fold by fold. */
export interface SearchPlan {
  candidates: Record<string, unknown>[];
  /** Candidate indices per upstream group, lambda descending. */
  groups: number[][];
  tasks: SearchTask[];
}

/** Every combination of the grid's values, in the grid's order (the last name varies fastest). */
export function combinations(grid: Record<string, readonly unknown[]>): Record<string, unknown>[] {
  let out: Record<string, unknown>[] = [{}];
  for (const [name, values] of Object.entries(grid)) out = out.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
  return out;
}

/**
 * The plan of a search over `grid` on `folds` folds. `finalPrefix` is the final estimator's
 * parameter prefix in a pipeline ("clf__"), undefined for a bare estimator (then every candidate
 * is in one group); `pathSegment` is the most candidates a task fits in a row (Infinity: a
 * group's whole path in one task).
 */
export function planSearch(
  grid: Record<string, readonly unknown[]>,
  folds: number,
  finalPrefix: string | undefined,
  pathSegment = Infinity,
): SearchPlan {
  const candidates = combinations(grid);
  const upstreamOf = (c: Record<string, unknown>) =>
    finalPrefix === undefined
      ? ""
      : JSON.stringify(
          Object.entries(c)
            .filter(([k]) => !k.startsWith(finalPrefix))
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        );
  const byUpstream = new Map<string, number[]>();
  candidates.forEach((c, i) => {
    const key = upstreamOf(c);
    (byUpstream.get(key) ?? byUpstream.set(key, []).get(key)!).push(i);
  });
  const lambdaName = `${finalPrefix ?? ""}lambda`;
  const lambdaOf = (i: number) => Number(candidates[i]![lambdaName] ?? 0);
  // a stable sort: candidates with equal lambdas keep the grid's order
  const groups = [...byUpstream.values()].map((members) => [...members].sort((a, b) => lambdaOf(b) - lambdaOf(a)));
  const tasks: SearchTask[] = [];
  for (let fold = 0; fold < folds; fold++) {
    groups.forEach((members, group) => {
      for (let at = 0; at < members.length; at += pathSegment) tasks.push({ fold, group, members: members.slice(at, at + pathSegment) });
    });
  }
  return { candidates, groups, tasks };
}
