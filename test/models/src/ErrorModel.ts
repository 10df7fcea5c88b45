/**
 * ErrorModel, one of the user classes the Python wrapper's exchanges were recorded with (the
 * transcripts under test/fixtures and packages/grpc/test/fixtures), in TypeScript. MODEL whose
 * predict throws UserCustomException (402, rendered by the model's own error handler) when X[0][0]
 * < 0, a plain Error (the generic 500) when X[0][0] == 0, and returns X otherwise.
 *
 * Python registers the handler on a Flask blueprint (`model_error_handler`); a Node component lists
 * `errorHandlers: [{ error: Class, handle(err) → { statusCode, body } }]`.
 */
import type { ErrorHandlerEntry } from '@fastify-seldon/core'
import type { NDArray } from '@fastify-seldon/protocol'

/** User-defined exception rendered by the model's error handler (REST only). */
export class UserCustomException extends Error {
  statusCode = 404
  readonly applicationErrorCode: number

  constructor (message: string, applicationErrorCode: number, httpStatusCode?: number) {
    super(message)
    this.name = 'UserCustomException'
    if (httpStatusCode !== undefined) this.statusCode = httpStatusCode
    this.applicationErrorCode = applicationErrorCode
  }

  toDict (): { status: { status: number, message: string, app_code: number } } {
    return { status: { status: this.statusCode, message: this.message, app_code: this.applicationErrorCode } }
  }
}

export class ErrorModel {
  readonly errorHandlers: ErrorHandlerEntry[] = [
    {
      error: UserCustomException,
      handle: (error: UserCustomException) => ({ statusCode: error.statusCode, body: error.toDict() })
    }
  ]

  predict (X: NDArray, featureNames: string[]): NDArray {
    const first = X.size > 0 && X.isNumeric ? Number(X.data[0]) : undefined
    if (first !== undefined && first < 0) throw new UserCustomException('Test-Error-Msg', 1402, 402)
    if (first === 0) throw new Error('zero is not allowed')
    return X
  }
}
