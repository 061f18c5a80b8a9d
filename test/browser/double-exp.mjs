// A kernel override for the browser tests: "exp" that doubles instead, a result no backend's exp
// gives, so a thread that ran the original shows.
export function exp(kernels) {
  return (n, x, out) => {
    const h = kernels.memory.f64;
    for (let i = 0; i < n; i++) h[(out >> 3) + i] = 2 * h[(x >> 3) + i];
  };
}
