/**
 * The errors a Seldon plugin throws at registration (never per request): stable `@fastify/error`
 * codes, so a host can tell a bad option from a bad component in `app.register(...)`'s rejection.
 */
import createError from '@fastify/error'

/** A component that is not an object, or lacks the method its kind needs. */
export const InvalidComponentError = createError<[string]>('SELDON_ERR_INVALID_COMPONENT', '%s', 500, TypeError)

/** An option of the wrong type (or one the plugins no longer take). */
export const InvalidOptionError = createError<[string]>('SELDON_ERR_INVALID_OPTION', '%s', 500, TypeError)
