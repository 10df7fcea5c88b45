// The CLI's model: a plain ES module class, as `seldon-microservice model.js` loads it.
export default class Doubler {
  predict (X) { return X.map(v => v * 2) }
  metrics () { return [{ type: 'COUNTER', key: 'cli_predictions', value: 1 }] }
}
