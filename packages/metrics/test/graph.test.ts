/** Per-node request metrics of a graph: the executor's client histogram, one series per node and call. */
import t from 'tap'
import { GRAPH_NODE_METRIC, createSeldonMetrics, graphNodeObserver } from '../src/index.js'

t.test('graphNodeObserver: a histogram labelled by node, call, method and code', async t => {
  const metrics = createSeldonMetrics({ logger: { warn: () => {} } })
  const observe = graphNodeObserver(metrics, { deploymentName: 'sdep', predictorName: 'main', images: { m: 'registry:5000/iris:1.2' } })
  observe({ node: 'm', service: '/predict', method: 'in-process', code: '200', seconds: 0.002 })
  observe({ node: 'm', service: '/predict', method: 'in-process', code: '200', seconds: 0.004 })
  observe({ node: 'r', service: '/seldon.protos.Router/Route', method: 'unary', code: 'UNAVAILABLE', seconds: 0.01 })
  const text = await metrics.metrics()
  t.match(text, `# TYPE ${GRAPH_NODE_METRIC} histogram`)
  t.match(text, `${GRAPH_NODE_METRIC}_count{deployment_name="sdep",predictor_name="main",predictor_version="",service="/predict",model_name="m",model_image="registry:5000/iris",model_version="1.2",method="in-process",code="200"} 2`)
  t.match(text, `${GRAPH_NODE_METRIC}_count{deployment_name="sdep",predictor_name="main",predictor_version="",service="/seldon.protos.Router/Route",model_name="r",model_image="",model_version="",method="unary",code="UNAVAILABLE"} 1`)

  const again = graphNodeObserver(metrics)
  again({ node: 'x', service: '/route', method: 'post', code: '500', seconds: 0.1 })
  t.match(await metrics.metrics(), /model_name="x"/, 'a second observer on the same registry shares the histogram')
  t.doesNotThrow(() => { again({ node: 'x', service: '/route', method: 'post', code: '500', seconds: Number.NaN }) }, 'never throws')
})
