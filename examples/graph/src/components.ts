/**
 * The components of the example graph (graph.yaml):
 *
 *   out (OUTPUT_TRANSFORMER: Labeler)
 *    └─ in (TRANSFORMER: Centimetres)
 *        └─ router (ROUTER: EpsilonGreedy)
 *            ├─ iris-a (MODEL: IrisModel, all four features)
 *            └─ iris-b (MODEL: IrisModel, petals only)
 *
 * Each is an ordinary Seldon component: the same class runs in-process in the graph
 * (`--component iris-b=src/components.ts:IrisModel`) or alone (`seldon-microservice
 * src/components.ts --export IrisModel`), constructed with the node's `parameters`.
 */
import type { NDArray } from '@fastify-seldon/protocol'

const CLASSES = ['setosa', 'versicolor', 'virginica']
/** Per-class means of Fisher's iris data (sepal length, sepal width, petal length, petal width; cm). */
const CENTROIDS = [
  [5.006, 3.428, 1.462, 0.246],
  [5.936, 2.77, 4.26, 1.326],
  [6.588, 2.974, 5.552, 2.026]
]

function rows (X: NDArray): number[][] {
  return X.toNested() as number[][]
}

/** Input transformer: measurements in millimetres → centimetres, as the models expect. */
export class Centimetres {
  transformInput (X: NDArray): number[][] {
    return rows(X).map(row => row.map(v => v / 10))
  }
}

export interface IrisParameters {
  /** `all` (the four features) or `petals` (petal length and width only). */
  features?: string
}

/** A nearest-centroid iris classifier: class probabilities from the distances to the class means. */
export class IrisModel {
  readonly features: number[]
  readonly variant: string

  constructor ({ features = 'all' }: IrisParameters = {}) {
    if (features !== 'all' && features !== 'petals') throw new RangeError(`features must be all or petals, got ${features}`)
    this.variant = features
    this.features = features === 'all' ? [0, 1, 2, 3] : [2, 3]
  }

  predict (X: NDArray): number[][] {
    return rows(X).map(row => {
      const scores = CENTROIDS.map(centroid => -Math.sqrt(this.features.reduce((sum, i) => sum + ((row[i] as number) - (centroid[i] as number)) ** 2, 0)))
      const top = Math.max(...scores)
      const exp = scores.map(s => Math.exp((s - top) * 4))
      const total = exp.reduce((a, b) => a + b, 0)
      return exp.map(e => Math.round((e / total) * 1000) / 1000)
    })
  }

  classNames (): string[] {
    return CLASSES
  }

  tags (): Record<string, string> {
    return { model: `iris-${this.variant}` }
  }
}

export interface EpsilonGreedyParameters {
  n_branches?: number
  epsilon?: number
  seed?: number
}

/** An epsilon-greedy bandit: routes to the branch with the best mean reward, explores with probability epsilon. */
export class EpsilonGreedy {
  private readonly counts: number[]
  private readonly values: number[]
  private readonly random: () => number
  readonly epsilon: number

  constructor ({ n_branches: n = 2, epsilon = 0.1, seed }: EpsilonGreedyParameters = {}) {
    this.counts = new Array<number>(n).fill(0)
    this.values = new Array<number>(n).fill(0)
    this.epsilon = epsilon
    let state = (seed ?? Math.floor(Math.random() * 2 ** 32)) >>> 0
    // mulberry32: a seedable generator, so a test (or a replay) routes the same way
    this.random = () => {
      state = (state + 0x6D2B79F5) >>> 0
      let t = state
      t = Math.imul(t ^ (t >>> 15), t | 1)
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }
  }

  get best (): number {
    return this.values.reduce((best, v, i) => (v > (this.values[best] as number) ? i : best), 0)
  }

  route (): number {
    const best = this.best
    if (this.values.length > 1 && this.random() < this.epsilon) {
      const other = Math.floor(this.random() * (this.values.length - 1))
      return other >= best ? other + 1 : other
    }
    return best
  }

  /** The reward of a request this router sent to `routing` (the graph puts it in meta.routing). */
  sendFeedback (_features: unknown, _names: string[], reward: number, _truth: unknown, routing?: number): void {
    if (routing === undefined || routing < 0 || routing >= this.values.length) return
    const n = (this.counts[routing] as number) + 1
    this.counts[routing] = n
    this.values[routing] = (this.values[routing] as number) + (reward - (this.values[routing] as number)) / n
  }

  tags (): Record<string, number> {
    return { best_branch: this.best }
  }
}

/** Output transformer: the probabilities, with the winning class as a tag. */
export class Labeler {
  private label = ''

  transformOutput (X: NDArray): number[][] {
    const probabilities = rows(X)
    const first = probabilities[0] ?? []
    this.label = CLASSES[first.indexOf(Math.max(...first))] ?? ''
    return probabilities
  }

  classNames (): string[] {
    return CLASSES
  }

  tags (): Record<string, string> {
    return { label: this.label }
  }
}
