// A TypeScript model: without tsx installed, the CLI must say so.
export default class Typed {
  predict (X: unknown): unknown { return X }
}
