/**
 * An epsilon-greedy multi-armed bandit ROUTER, the pattern of Seldon Core's own EpsilonGreedy
 * router: with probability `epsilon` it explores (routes to a branch other than the current
 * best), otherwise it exploits (routes to the branch with the best mean reward so far). The
 * rewards arrive through /send-feedback; the Seldon executor tells the router which branch it
 * chose for that request in `response.meta.routing[<PREDICTIVE_UNIT_ID>]`, handed to
 * sendFeedback() as `routing`.
 *
 *   pnpm start   # seldon-microservice src/EpsilonGreedy.ts --service-type ROUTER
 *
 * Parameters (PREDICTIVE_UNIT_PARAMETERS, given to the constructor as one object):
 * `n_branches` (INT, default 2), `epsilon` (FLOAT, default 0.1), `seed` (INT, default unseeded).
 */
import type { RouterComponent } from '@fastify-seldon/core'
import { float, SeldonMicroserviceError, type JsonValue, type Metric } from '@fastify-seldon/protocol'

export interface EpsilonGreedyParameters {
  /** How many children the router chooses between (default 2). */
  n_branches?: number
  /** Probability of exploring instead of exploiting, from 0 to 1 (default 0.1). */
  epsilon?: number
  /** Seed of the random generator: the same seed and feedback give the same routes. */
  seed?: number
}

/** mulberry32: a tiny seedable PRNG, plenty for choosing branches (not for cryptography). */
function mulberry32 (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export class EpsilonGreedy implements RouterComponent {
  readonly nBranches: number
  readonly epsilon: number
  private readonly random: () => number
  /** Feedback received per branch. */
  private readonly counts: number[]
  /** Mean reward per branch (0 until a branch gets feedback). */
  private readonly values: number[]

  constructor ({ n_branches: nBranches = 2, epsilon = 0.1, seed }: EpsilonGreedyParameters = {}) {
    // Bad parameters stop the server at start-up, not at the first request.
    if (!Number.isInteger(nBranches) || nBranches < 1) throw new RangeError(`n_branches must be an integer >= 1, got ${String(nBranches)}`)
    if (typeof epsilon !== 'number' || !(epsilon >= 0 && epsilon <= 1)) throw new RangeError(`epsilon must be a number from 0 to 1, got ${String(epsilon)}`)
    if (seed !== undefined && !Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${String(seed)}`)
    this.nBranches = nBranches
    this.epsilon = epsilon
    this.random = seed === undefined ? Math.random : mulberry32(seed)
    this.counts = new Array<number>(nBranches).fill(0)
    this.values = new Array<number>(nBranches).fill(0)
  }

  /** The branch with the best mean reward; ties go to the lowest index (branch 0 at the start). */
  get bestBranch (): number {
    let best = 0
    for (let i = 1; i < this.nBranches; i++) if ((this.values[i] as number) > (this.values[best] as number)) best = i
    return best
  }

  /** The child index to send this request to. The features do not matter to a bandit. */
  route (): number {
    const best = this.bestBranch
    if (this.nBranches > 1 && this.random() < this.epsilon) {
      // Explore one of the *other* branches, as Seldon's router does: exploring the best one
      // would only be exploiting with extra steps.
      const other = Math.floor(this.random() * (this.nBranches - 1))
      return other >= best ? other + 1 : other
    }
    return best
  }

  /** One reward for the branch this router chose (`routing`): an incremental mean. */
  sendFeedback (_features: unknown, _names: string[], reward: number, _truth: unknown, routing?: number): void {
    if (routing === undefined) {
      throw new SeldonMicroserviceError('feedback without a routing for this router: send the response with meta.routing[<PREDICTIVE_UNIT_ID>] = the branch it chose')
    }
    if (!Number.isInteger(routing) || routing < 0 || routing >= this.nBranches) {
      throw new SeldonMicroserviceError(`routing ${routing} is not a branch of this router (0 to ${this.nBranches - 1})`)
    }
    const count = (this.counts[routing] as number) + 1
    this.counts[routing] = count
    this.values[routing] = (this.values[routing] as number) + (reward - (this.values[routing] as number)) / count
  }

  /** Added to every response's meta.tags: what the router has learnt so far. */
  tags (): Record<string, JsonValue> {
    return {
      best_branch: this.bestBranch,
      // float(): a mean reward is a float, printed 0.0 rather than 0 as Python would
      branch_values: this.values.map(v => float(v)),
      branch_counts: [...this.counts]
    }
  }

  /** One gauge series per branch (label `branch`), so a dashboard can plot what the bandit learns. */
  metrics (): Metric[] {
    return this.values.map((value, i) => ({ type: 'GAUGE', key: 'bandit_branch_value', value: float(value), tags: { branch: String(i) } }))
  }
}

export default EpsilonGreedy
