// Randomness for the data plane (pickers, weighted clusters, runtime fractions, fault and drop
// percentages, retry jitter): a function returning a float in [0, 1), injected so tests are
// deterministic. Production uses Math.random; tests use @shoal/testing's seeded generator.

export type Random = () => number;

/** A uniform integer in [0, n). */
export function randomIndex(random: Random, n: number): number {
  const i = Math.floor(random() * n);
  return i < n ? i : n - 1;
}
