/**
 * The low-level ("raw") methods: the whole SeldonMessage in, a whole message out, nothing decoded
 * or encoded for you. Use them when the high-level `predict(X, names, meta)` is in the way: to
 * accept several payload forms, to build the response meta yourself, or to choose the HTTP status.
 *
 *   predictRaw(message)       a summary (count, mean, min, max) of the numbers in
 *                             data.ndarray, data.tensor or jsonData.values, as jsonData;
 *                             no numbers → `status.code: 400`, which becomes the HTTP status
 *   sendFeedbackRaw(feedback) the whole Feedback ({request, response, reward, truth})
 *   healthStatusRaw()         /health/status answered verbatim
 *
 *   pnpm start   # seldon-microservice src/SummaryModel.ts --service-type MODEL
 *
 * What the runtime still does for raw methods: records the metrics found in the result's
 * meta.metrics (unvalidated, as the wrapper does) and, on the predict routes, uses a numeric
 * `status.code` as the HTTP status. Nothing else: no tags(), no requestPath, no puid echo.
 */
import type { ModelComponent } from '@fastify-seldon/core'
import { float, type Feedback, type NumericList, type SeldonMessage } from '@fastify-seldon/protocol'

/** Every number of a nested array, or undefined when something else is in it. */
function flatten (value: unknown, out: number[] = []): number[] | undefined {
  if (typeof value === 'number') { out.push(value); return out }
  if (!Array.isArray(value)) return undefined
  for (const v of value) if (flatten(v, out) === undefined) return undefined
  return out
}

/** The numbers a message carries, from whichever payload form the client used. */
export function numbersIn (message: SeldonMessage): number[] | undefined {
  const tensor = message.data?.tensor?.values
  // Over gRPC a tensor's values arrive as a Float64Array; over REST as a JSON array.
  if (tensor !== undefined && !Array.isArray(tensor)) return Array.from(tensor as Exclude<NumericList, number[]>, Number)
  if (tensor !== undefined) return flatten(tensor)
  if (message.data?.ndarray !== undefined) return flatten(message.data.ndarray)
  const json = message.jsonData
  if (json !== null && typeof json === 'object' && !Array.isArray(json) && 'values' in json) return flatten(json.values)
  return undefined
}

export class SummaryModel implements ModelComponent {
  private summaries = 0
  private feedbacks = 0
  private rewards = 0

  predictRaw (message: SeldonMessage): SeldonMessage {
    const values = numbersIn(message)
    if (values === undefined || values.length === 0) {
      // The predict routes answer with this status.code as the HTTP status (the body as is).
      return {
        status: { code: 400, info: 'send numbers in data.ndarray, data.tensor or jsonData.values', reason: 'MICROSERVICE_BAD_DATA', status: 'FAILURE' }
      }
    }
    this.summaries++
    let sum = 0
    let min = Infinity
    let max = -Infinity
    for (const v of values) {
      sum += v
      if (v < min) min = v
      if (v > max) max = v
    }
    return {
      // float(): the mean prints as 2.0 rather than 2, as Python's json would print a float
      jsonData: { count: values.length, mean: float(sum / values.length), min, max },
      // The meta is ours to build: keep the caller's puid, add a tag and a metric the runtime records.
      meta: {
        ...(message.meta?.puid !== undefined ? { puid: message.meta.puid } : {}),
        tags: { summarised_by: 'SummaryModel' },
        metrics: [{ type: 'COUNTER', key: 'summary_values', value: values.length }]
      }
    }
  }

  sendFeedbackRaw (feedback: Feedback): SeldonMessage {
    this.feedbacks++
    this.rewards += feedback.reward ?? 0
    const meanReward = this.rewards / this.feedbacks
    return {
      jsonData: { feedbacks: this.feedbacks, mean_reward: meanReward, had_truth: feedback.truth !== undefined },
      meta: { metrics: [{ type: 'GAUGE', key: 'summary_mean_reward', value: meanReward }] }
    }
  }

  healthStatusRaw (): SeldonMessage {
    return { jsonData: { ready: true, summaries: this.summaries, feedbacks: this.feedbacks } }
  }
}

export default SummaryModel
