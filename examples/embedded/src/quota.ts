/**
 * The service's own quota rule, shared by the order routes and the model: a domain error, with no
 * HTTP knowledge. Each side decides how to render it.
 */
export class QuotaExceeded extends Error {
  constructor (readonly limit: number, readonly requested: number) {
    super(`quota exceeded: ${requested} requested, ${limit} allowed`)
    this.name = 'QuotaExceeded'
  }
}
