// Randomness for the data plane (pickers, weighted clusters, runtime fractions, fault and drop
// percentages, retry jitter): a function returning a float in [0, 1), injected so tests are
// deterministic. Production uses Math.random; tests use a seeded generator.

export type Random = () => number;

/** A small seeded generator (mulberry32): deterministic, fast, good enough for spreading load. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [0, n). */
export function randomIndex(random: Random, n: number): number {
  const i = Math.floor(random() * n);
  return i < n ? i : n - 1;
}
