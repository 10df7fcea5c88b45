/**
 * A Seldon MODEL running an ONNX model with ONNX Runtime for Node (onnxruntime-node): by default
 * the iris classifier in ../model/iris.onnx (an MLP trained with scikit-learn, see
 * ../model/train.py), or any single-input model given as the `modelPath` parameter.
 *
 *   pnpm start                                   # in examples/onnx
 *   curl -s localhost:9000/api/v1.0/predictions -H 'content-type: application/json' \
 *        -d '{"data":{"ndarray":[[5.1,3.5,1.4,0.2]]}}'
 *
 * Parameters (PREDICTIVE_UNIT_PARAMETERS, or --parameters):
 *   modelPath         STRING  the .onnx file (relative to the working directory); default the iris model
 *   classNames        JSON    names of the output columns; default the iris species for the iris model
 *   outputName        STRING  which output to answer with; default the first float tensor output
 *   intraOpNumThreads INT     ONNX Runtime's threads per inference (default 1: one per server worker)
 *
 * The input's name, element type and shape come from the session, so nothing about the model is
 * written here: the request's rows go in as one batch, converted once to the input's float type.
 */
import { fileURLToPath } from 'node:url'
import { resolve } from 'node:path'
import { InferenceSession, Tensor } from 'onnxruntime-node'
import { NotImplementedError, type ModelComponent } from '@fastify-seldon/core'
import { NDArray, SeldonMicroserviceError, isTypedNumberArray, type NumericDType, type TypedNumberArray } from '@fastify-seldon/protocol'

/** The bundled model, resolved against this module (src/ under tsx, dist/ when built): ../model/. */
export const IRIS_MODEL_PATH = fileURLToPath(new URL('../model/iris.onnx', import.meta.url))
export const IRIS_CLASS_NAMES = ['setosa', 'versicolor', 'virginica'] as const

export interface OnnxModelParameters {
  modelPath?: string
  classNames?: string[]
  outputName?: string
  intraOpNumThreads?: number
}

/**
 * The request's features do not fit the model's input (width, rank or element type): the client's
 * mistake, a 400 in the Seldon envelope (INVALID_ARGUMENT over gRPC). Checked here, before the
 * session runs, because only the model knows its input shape; ONNX Runtime's own error for the same
 * mistake is a plain Error that would be the model's 500.
 */
export class ModelInputError extends SeldonMicroserviceError {
  constructor (message: string) {
    super(message, { statusCode: 400, reason: 'MICROSERVICE_BAD_DATA' })
    this.name = 'ModelInputError'
  }
}

/** What load() learnt from the session: everything predict() needs. */
interface Loaded {
  session: InferenceSession
  inputName: string
  /** The input's dims: a number is fixed, a string (or -1) is free, such as the batch dimension. */
  inputShape: ReadonlyArray<number | string>
  inputType: 'float32' | 'float64'
  outputName: string
}

const OUTPUT_DTYPES: Record<string, NumericDType> = {
  float32: 'float32', float64: 'float64', int32: 'int32', int64: 'int64', int16: 'int16', int8: 'int8', uint32: 'uint32', uint16: 'uint16', uint8: 'uint8', uint64: 'uint64'
}

export default class OnnxModel implements ModelComponent {
  readonly modelPath: string
  readonly intraOpNumThreads: number
  private readonly names: string[] | undefined
  private readonly wantedOutput: string | undefined
  private loading: Promise<Loaded> | undefined

  constructor ({ modelPath, classNames, outputName, intraOpNumThreads = 1 }: OnnxModelParameters = {}) {
    if (modelPath !== undefined && (typeof modelPath !== 'string' || modelPath === '')) throw new TypeError('modelPath must be a path to an .onnx file')
    if (classNames !== undefined && !(Array.isArray(classNames) && classNames.every(n => typeof n === 'string'))) {
      throw new TypeError('classNames must be a JSON list of strings')
    }
    if (!Number.isInteger(intraOpNumThreads) || intraOpNumThreads < 0) throw new RangeError(`intraOpNumThreads must be an integer >= 0 (0: ONNX Runtime's default), got ${String(intraOpNumThreads)}`)
    this.modelPath = modelPath === undefined ? IRIS_MODEL_PATH : resolve(modelPath)
    this.names = classNames ?? (modelPath === undefined ? [...IRIS_CLASS_NAMES] : undefined)
    this.wantedOutput = outputName
    this.intraOpNumThreads = intraOpNumThreads
  }

  /** Opens the session once per worker before it serves (predict() opens it too when called first). */
  async load (): Promise<void> {
    this.loading ??= this.open()
    await this.loading
  }

  /** Runs the whole batch in one session call: rows of features in, one row of outputs per row out. */
  async predict (X: unknown): Promise<NDArray> {
    this.loading ??= this.open()
    const model = await this.loading
    const { data, dims } = features(X, model)
    const results = await model.session.run({ [model.inputName]: new Tensor(model.inputType, data, dims) })
    const out = results[model.outputName] as Tensor
    // The output's typed array as is (no copy); float32 is widened when written, as numpy's tolist() does.
    return new NDArray(out.data as Float32Array, out.dims, OUTPUT_DTYPES[out.type])
  }

  /** Column names of the answer (`data.names`); without any, NotImplementedError: the runtime's t:0, t:1, ... */
  classNames (): string[] {
    if (this.names === undefined) throw new NotImplementedError('no classNames parameter')
    return [...this.names]
  }

  private async open (): Promise<Loaded> {
    let session: InferenceSession
    try {
      session = await InferenceSession.create(this.modelPath, {
        intraOpNumThreads: this.intraOpNumThreads,
        interOpNumThreads: 1,
        executionMode: 'sequential'
      })
    } catch (err) {
      throw new Error(`cannot load the ONNX model ${this.modelPath}: ${(err as Error).message}`, { cause: err })
    }
    const describe = (list: readonly InferenceSession.ValueMetadata[]) => list.map(m => m.isTensor ? `${m.name} (${m.type} [${m.shape.join(',')}])` : `${m.name} (not a tensor)`).join(', ')
    const [input, ...others] = session.inputMetadata
    if (input === undefined || others.length > 0 || !input.isTensor || (input.type !== 'float32' && input.type !== 'float64')) {
      throw new Error(`${this.modelPath}: this component serves models with one float32 or float64 tensor input; the model's inputs are ${describe(session.inputMetadata)}`)
    }
    const output = this.wantedOutput === undefined
      ? session.outputMetadata.find(m => m.isTensor && (m.type === 'float32' || m.type === 'float64'))
      : session.outputMetadata.find(m => m.name === this.wantedOutput)
    if (output === undefined || !output.isTensor || OUTPUT_DTYPES[output.type] === undefined) {
      throw new Error(`${this.modelPath}: ${this.wantedOutput === undefined ? 'no float tensor output' : `no numeric tensor output named ${this.wantedOutput}`}; the model's outputs are ${describe(session.outputMetadata)}`)
    }
    const width = output.shape[output.shape.length - 1]
    if (this.names !== undefined && typeof width === 'number' && width !== this.names.length) {
      throw new Error(`${this.modelPath}: output ${output.name} has ${width} columns but ${this.names.length} classNames were given`)
    }
    return { session, inputName: input.name, inputShape: input.shape, inputType: input.type, outputName: output.name }
  }
}

/**
 * The request's numbers as the input's typed array and dims. One conversion at most: a Float64Array
 * (what JSON ndarray/tensor and gRPC tensor decode to) becomes a Float32Array for a float32 model in
 * one native pass; data already of the input's type goes in as is. A single row without the batch
 * dimension (`[5.1,3.5,1.4,0.2]`) is taken as a batch of one.
 */
function features (X: unknown, model: Loaded): { data: Float32Array | Float64Array, dims: number[] } {
  const expected = model.inputShape
  const takes = `the model's input "${model.inputName}" takes ${model.inputType} of shape [${expected.join(',')}]`
  if (!(X instanceof NDArray) || !X.isNumeric || !isTypedNumberArray(X.data)) {
    throw new ModelInputError(`${takes}: send numbers as data.ndarray, data.tensor or data.tftensor`)
  }
  const dims = X.ndim === expected.length - 1 ? [1, ...X.shape] : [...X.shape]
  const fits = dims.length === expected.length && expected.every((d, i) => typeof d !== 'number' || d < 0 || d === dims[i])
  if (!fits) throw new ModelInputError(`${takes}; the request's data has shape [${X.shape.join(',')}]`)
  return { data: asFloats(X.data, model.inputType === 'float32' ? Float32Array : Float64Array), dims }
}

/** `src` as a `Ctor`: itself when it is one, else one native conversion (Number() for bigints). */
function asFloats (src: TypedNumberArray, Ctor: Float32ArrayConstructor | Float64ArrayConstructor): Float32Array | Float64Array {
  if (src instanceof Ctor) return src
  if (src instanceof BigInt64Array || src instanceof BigUint64Array) {
    return Ctor === Float32Array ? Float32Array.from(src, Number) : Float64Array.from(src, Number)
  }
  return new Ctor(src)
}
