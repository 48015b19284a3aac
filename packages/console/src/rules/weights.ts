// Weight sliders that always sum to 100: moving one spreads the rest over the others in
// proportion to what they had (evenly when they had nothing), in whole percents, as Kiali's
// traffic-shifting wizard does.

export function setWeight(weights: readonly number[], index: number, value: number): number[] {
  const n = weights.length;
  if (n === 0) return [];
  if (n === 1) return [100];
  const v = Math.max(0, Math.min(100, Math.round(value)));
  const rest = 100 - v;
  const others = weights.map((w, i) => (i === index ? 0 : Math.max(0, w)));
  const sum = others.reduce((a, b) => a + b, 0);
  const raw = others.map((w, i) => (i === index ? 0 : sum > 0 ? (w * rest) / sum : rest / (n - 1)));
  const out = raw.map(Math.floor);
  out[index] = v;
  // Hand the percents lost to rounding to the largest remainders.
  let missing = 100 - out.reduce((a, b) => a + b, 0);
  const order = raw
    .map((r, i) => ({ i, frac: i === index ? -1 : r - Math.floor(r) }))
    .sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (let k = 0; missing > 0; k = (k + 1) % order.length) {
    const target = order[k]!;
    if (target.i === index) continue;
    out[target.i]!++;
    missing--;
  }
  return out;
}

/** Weights as given, or an even split when they do not sum to 100. */
export function normalized(weights: readonly number[]): number[] {
  if (weights.length === 0) return [];
  if (weights.reduce((a, b) => a + b, 0) === 100 && weights.every((w) => w >= 0)) return [...weights];
  return setWeight(
    weights.map(() => 1),
    0,
    Math.round(100 / weights.length) + (100 - Math.round(100 / weights.length) * weights.length),
  );
}
