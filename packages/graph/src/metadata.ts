/**
 * Graph metadata (seldon-core v1.18.2 executor/predictor/metadata.go): every node's model metadata,
 * and the graph's inputs and outputs taken from its edge nodes. Only `children[0]` is followed:
 *
 * | node                              | graph inputs from             | graph outputs from             |
 * |-----------------------------------|-------------------------------|--------------------------------|
 * | leaf (any type)                   | the node                      | the node                       |
 * | MODEL, TRANSFORMER                | the node                      | outputs node of children[0]    |
 * | OUTPUT_TRANSFORMER, COMBINER      | inputs node of children[0]    | the node                       |
 * | ROUTER, untyped, UNKNOWN_TYPE     | inputs node of children[0]    | outputs node of children[0]    |
 *
 * The executor crashes on an untyped or UNKNOWN_TYPE node with children; we treat it as the
 * pass-through it is (COMPATIBILITY.md E-7).
 */
import type { GraphNode } from './model.js'

/** Graph metadata in the message form (gRPC's SeldonGraphMetadata fields). */
export interface GraphMetadataResult {
  /** The predictor's name. */
  name: string
  /** Each node's model metadata, root first then depth-first (nodes without a component are absent). */
  models: Record<string, unknown>
  /** The inputs of the graph's input node's metadata (undefined when it has none). */
  inputs: unknown
  /** The outputs of the graph's output node's metadata. */
  outputs: unknown
}

/** The nodes whose metadata gives the graph's inputs and outputs. */
export function edgeNodes (node: GraphNode): [GraphNode, GraphNode] {
  const first = node.children[0]
  if (first === undefined) return [node, node]
  const [inputs, outputs] = edgeNodes(first)
  switch (node.type) {
    case 'MODEL':
    case 'TRANSFORMER':
      return [node, outputs]
    case 'OUTPUT_TRANSFORMER':
    case 'COMBINER':
      return [inputs, node]
    default:
      return [inputs, outputs]
  }
}

/**
 * The REST rendering: `{"name", "models", "graphinputs", "graphoutputs"}`, `null` where a side has
 * no metadata (the executor's field names).
 */
export function restGraphMetadata (result: GraphMetadataResult): Record<string, unknown> {
  return {
    name: result.name,
    models: result.models,
    graphinputs: result.inputs ?? null,
    graphoutputs: result.outputs ?? null
  }
}
