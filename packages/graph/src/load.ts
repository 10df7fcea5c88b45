/**
 * Where a graph comes from: JSON or YAML text (a file, possibly with several `---` documents, as
 * kubectl files often have), or the executor's `ENGINE_PREDICTOR` environment variable (the base64
 * of the PredictorSpec JSON the operator hands the executor: seldon-core v1.18.2
 * executor/predictor/utils.go).
 */
import { readFile } from 'node:fs/promises'
import { parseAllDocuments } from 'yaml'
import { GraphSpecError } from './errors.js'
import { loadGraph, type GraphSpec, type LoadGraphOptions } from './model.js'

function isObject (value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/**
 * A graph from JSON or YAML text: the first document that is a SeldonDeployment (or, failing
 * that, the first document) is read with {@link loadGraph}. `source` names the text in errors.
 */
export function parseGraphText (text: string, options: LoadGraphOptions = {}, source = 'graph text'): GraphSpec {
  // YAML 1.2 reads JSON too; errors carry line and column.
  const documents = parseAllDocuments(text, { prettyErrors: true })
  if (!Array.isArray(documents)) throw new GraphSpecError(`${source}: no document found`)
  const values: unknown[] = []
  for (const doc of documents) {
    if (doc.errors.length > 0) throw new GraphSpecError(`${source}: not valid JSON or YAML: ${doc.errors[0]?.message ?? ''}`)
    const value: unknown = doc.toJS({ maxAliasCount: 100 })
    if (value !== null && value !== undefined) values.push(value)
  }
  if (values.length === 0) throw new GraphSpecError(`${source}: no document found`)
  const chosen = values.find(v => isObject(v) && v.kind === 'SeldonDeployment') ?? values[0]
  try {
    return loadGraph(chosen, options)
  } catch (err) {
    if (err instanceof GraphSpecError) err.message = `${source}: ${err.message}`
    throw err
  }
}

/** A graph from a `.json`, `.yaml` or `.yml` file (the content decides, not the extension). */
export async function readGraphFile (path: string, options: LoadGraphOptions = {}): Promise<GraphSpec> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new GraphSpecError(`cannot read graph file ${path}: ${(err as Error).message}`)
  }
  return parseGraphText(text, options, path)
}

/** Standard base64 with padding, as Go's `base64.StdEncoding` insists. */
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * The graph of `ENGINE_PREDICTOR` (base64 of a PredictorSpec's JSON), or `undefined` when the
 * variable is not set. An empty or undecodable value is an error (the executor crashes on an empty
 * one, and reports bad base64).
 */
export function graphFromEnv (env: Readonly<Record<string, string | undefined>>, options: LoadGraphOptions = {}): GraphSpec | undefined {
  const value = env.ENGINE_PREDICTOR
  if (value === undefined) return undefined
  const encoded = value.trim()
  if (encoded === '') throw new GraphSpecError('ENGINE_PREDICTOR is empty: it must be the base64 of a PredictorSpec JSON')
  if (!STRICT_BASE64.test(encoded)) throw new GraphSpecError('ENGINE_PREDICTOR is not valid base64 (standard alphabet, padded)')
  let predictor: unknown
  try {
    predictor = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'))
  } catch (err) {
    throw new GraphSpecError(`ENGINE_PREDICTOR does not hold JSON: ${(err as Error).message}`)
  }
  if (!isObject(predictor) || predictor.graph === undefined) {
    throw new GraphSpecError('ENGINE_PREDICTOR must hold a PredictorSpec (an object with a graph)')
  }
  try {
    return loadGraph(predictor, options)
  } catch (err) {
    if (err instanceof GraphSpecError) err.message = `ENGINE_PREDICTOR: ${err.message}`
    throw err
  }
}

/** `ENGINE_PREDICTOR`'s value for a PredictorSpec (what the operator computes), e.g. for tests and deploys. */
export function enginePredictorValue (predictor: unknown): string {
  return Buffer.from(JSON.stringify(predictor), 'utf8').toString('base64')
}
