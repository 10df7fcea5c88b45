/**
 * Dispatch turns: heavy dispatch runs (parse → predict → encode on the event loop) start one at a
 * time, with a short settling pause between two in which the worker takes its new connections and
 * serves the health probes (RELIABILITY.md, guarantee 12).
 *
 * Why a pause and not just an order: a kubelet probe comes on a new connection, and new connections
 * reach a busy worker one per loop iteration — libuv accepts one per iteration (since 1.45, "unix:
 * don't accept() connections in a loop"). Runs back to back, one or more per iteration, left the
 * probes behind every connection queued before them: with 20 clients posting 0.8 MB ndarrays
 * (100–400 ms of event loop each on the loaded 2-core machine) /health/ping took 2.9 s (median) to
 * 4.6 s. A run is heavy when its body is large (its parse alone is long) or when dispatches have
 * lately cost the event loop `HEAVY_RUN_MS` or more each (a slow synchronous model, a huge answer).
 */

/** A body at least this large makes a heavy run: 16 KiB of JSON parses in a few ms even here. */
export const LARGE_BODY_BYTES = 16 * 1024
/**
 * Dispatches costing the loop this much each (measured) make every run heavy. Below it, the pause
 * would cost more than it saves: 3 ms per 20 ms run is already 15%.
 */
export const HEAVY_RUN_MS = 20
/**
 * The pause: the worker must have been free of heavy runs and of new connections this long before
 * the next heavy run starts; it costs ~1% of a 300 ms run.
 */
const SETTLE_MS = 3
/** ...but a heavy run waits no longer than this for the connections to stop coming. */
const MAX_SETTLE_MS = 100
/** How often the cost of a dispatch is re-estimated. */
const COST_SAMPLE_MS = 250

/**
 * The event-loop time one dispatch costs, measured: the loop's active time (event-loop utilization)
 * divided by the dispatches completed meanwhile, smoothed. It counts everything the loop did —
 * parsing, the component's synchronous work, encoding, GC — so it errs towards heavy.
 */
export class DispatchCost {
  private estimate = 0
  private completedSince = 0
  private since = performance.eventLoopUtilization()
  private begun = false
  private readonly timer: NodeJS.Timeout

  constructor () {
    this.timer = setInterval(() => { this.sample() }, COST_SAMPLE_MS)
    this.timer.unref()
  }

  /** Milliseconds of event loop per dispatch (0 until measured). */
  get ms (): number { return this.estimate }

  /**
   * A dispatch starts. The first one starts the measurement: what the loop did before (loading the
   * component, starting its inference threads, ~0.5 s) is no dispatch's cost. Counted from
   * construction, it made the first estimate 0.5 s per dispatch and left one slot, so the requests of a
   * model served by --inference-threads ran one at a time.
   */
  begin (): void {
    if (this.begun) return
    this.begun = true
    this.since = performance.eventLoopUtilization()
  }

  completed (): void {
    this.completedSince++
  }

  close (): void {
    clearInterval(this.timer)
  }

  private sample (): void {
    if (this.completedSince === 0) return // accumulate until something completes
    const delta = performance.eventLoopUtilization(this.since)
    const perDispatch = delta.active / this.completedSince
    this.estimate = this.estimate === 0 ? perDispatch : 0.6 * this.estimate + 0.4 * perDispatch
    this.since = performance.eventLoopUtilization()
    this.completedSince = 0
  }
}

/** Starts heavy dispatch runs one at a time with a settling pause between two; light ones at once. */
export class DispatchTurns {
  private open = true
  private ran = false
  private connected = false
  private settlingSince = 0
  private readonly pending: Array<() => void> = []
  private head = 0

  constructor (private readonly cost: { readonly ms: number } = { ms: 0 }) {}

  /** Run `run` now, or, when it is heavy and another heavy run settles, later (FIFO). */
  start (bytes: number, run: () => void): void {
    if (bytes < LARGE_BODY_BYTES && this.cost.ms < HEAVY_RUN_MS) { run(); return }
    if (this.open) {
      this.begin(run)
      return
    }
    this.pending.push(run)
  }

  /** Heavy runs waiting for their turn. */
  get waiting (): number { return this.pending.length - this.head }

  /** A connection was accepted: while settling, wait for the next one before the next heavy run. */
  connection (): void {
    this.connected = true
  }

  private begin (run: () => void): void {
    this.open = false
    this.ran = true
    this.connected = false
    this.settlingSince = 0
    setTimeout(() => { this.settle() }, SETTLE_MS)
    run()
  }

  private settle (): void {
    // The first call comes once the run is over (a run is synchronous): the pause counts from there.
    if (this.settlingSince === 0) this.settlingSince = performance.now()
    if ((this.ran || this.connected) && performance.now() - this.settlingSince < MAX_SETTLE_MS) {
      this.ran = false
      this.connected = false
      setTimeout(() => { this.settle() }, SETTLE_MS)
      return
    }
    if (this.head === this.pending.length) {
      this.pending.length = 0
      this.head = 0
      this.open = true
      return
    }
    const next = this.pending[this.head] as () => void
    this.pending[this.head++] = undefined as unknown as () => void
    this.begin(next)
  }
}
