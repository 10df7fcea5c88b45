/**
 * User-defined errors: the Python guide's `UserCustomException` + `model_error_handler` example in
 * TypeScript. Flask's error-handler blueprint becomes `errorHandlers` on the class: each entry
 * names an error class and how to render it (status and body) on this component's REST routes;
 * over gRPC the call fails with the code of that status (402 → INVALID_ARGUMENT) and the error's
 * message. Everything else keeps the Seldon error envelope.
 *
 *   pnpm start   # seldon-microservice src/ErrorModel.ts --service-type MODEL
 *
 * predict() answers three ways depending on the first feature:
 *   < 0        UserCustomException → 402 {"status":{"app_code":1402,"message":"Test-Error-Msg","status":402}}
 *   0          a plain Error (a bug)  → 500 {"status":{"code":-1,"info":"zero is not allowed","reason":"MICROSERVICE_INTERNAL_ERROR","status":1}}
 *   not a number  SeldonMicroserviceError → the status and reason it chose, in the Seldon envelope
 *   otherwise  the input back, as an identity model
 */
import type { ErrorHandlerEntry, ModelComponent } from '@fastify-seldon/core'
import { NDArray, SeldonMicroserviceError } from '@fastify-seldon/protocol'

/**
 * The component's own exception, as in the wrapper's `model_error_handler` example (docs/wrapper-behaviour.md,
 * "Errors"): a message, an application error code and the HTTP status to answer with.
 */
export class UserCustomException extends Error {
  readonly statusCode: number
  readonly applicationErrorCode: number

  constructor (message: string, applicationErrorCode: number, httpStatusCode = 404) {
    super(message)
    this.name = 'UserCustomException'
    this.applicationErrorCode = applicationErrorCode
    this.statusCode = httpStatusCode
  }

  /** The body the handler answers with (`to_dict()` of UserCustomException in seldon-core v1.18.2 doc/source/python/python_component.md). */
  toDict (): { status: { status: number, message: string, app_code: number } } {
    return { status: { status: this.statusCode, message: this.message, app_code: this.applicationErrorCode } }
  }
}

export class ErrorModel implements ModelComponent {
  /** The Python guide's `model_error_handler` blueprint: matched with instanceof. */
  readonly errorHandlers: ErrorHandlerEntry[] = [
    { error: UserCustomException, handle: (e: UserCustomException) => ({ statusCode: e.statusCode, body: e.toDict() }) }
  ]

  predict (X: unknown): unknown {
    const first = X instanceof NDArray && X.size > 0 ? X.data[0] : undefined
    if (typeof first !== 'number' && typeof first !== 'bigint') {
      // A Seldon error with a status and reason of our choosing, in the standard envelope.
      throw new SeldonMicroserviceError('ErrorModel needs numeric features', { statusCode: 422, reason: 'MICROSERVICE_BAD_FEATURES' })
    }
    if (first < 0) throw new UserCustomException('Test-Error-Msg', 1402, 402)
    if (first === 0 || first === 0n) throw new Error('zero is not allowed')
    return X
  }
}

export default ErrorModel
