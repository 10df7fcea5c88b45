// Models for bench/pool.mjs whose cost is synchronous CPU work, by busy-waiting (not sleeping: the
// thread is really occupied, as by a model's arithmetic).
function spin (ms) {
  const end = performance.now() + ms
  while (performance.now() < end);
}

/** (a) a 20 ms CPU-bound predict. */
export class Cpu20 {
  predict (X) {
    spin(20)
    return X
  }
}

/** (b) a fixed 2 ms per call plus 0.02 ms per row: the cost batching amortises. */
export class FixedCost {
  predict (X) {
    spin(2 + 0.02 * (X.shape?.[0] ?? 1))
    return X
  }
}
