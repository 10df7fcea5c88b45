/**
 * Seldon's tracing environment mapped onto OpenTelemetry's, row by row of docs/tracing.md's
 * table; the TRACING switch; and the samplers the mapping builds, checked by their decisions.
 */
import t from 'tap'
import { ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api'
import { SamplingDecision } from '@opentelemetry/sdk-trace-node'
import { parseKeyValueList, resolveTracingConfig, describeSampler, type SamplerChoice } from '../src/config.js'
import { buildSampler } from '../src/sampler.js'
import { parseTracingSwitch, sdkDisabled } from '../src/switch.js'

const resolve = (env: Record<string, string>, files: Record<string, string> = {}) =>
  resolveTracingConfig(env, {
    componentName: 'MyModel',
    readFile: path => {
      const text = files[path]
      if (text === undefined) throw new Error(`ENOENT: ${path}`)
      return text
    }
  })

t.test('TRACING: any non-zero integer is on, true too; unreadable values are undefined', async t => {
  const cases: Array<[string | undefined, boolean | undefined]> = [
    [undefined, false], ['', false], ['  ', false], ['0', false], ['00', false], ['-0', false], ['1', true], ['2', true], ['-1', true],
    [' 1 ', true], ['+3', true], ['1_000', true], ['true', true], ['TRUE', true], ['True', true], ['false', false], ['False', false],
    ['yes', undefined], ['1.0', undefined], ['on', undefined], ['0x1', undefined], ['1_', undefined]
  ]
  for (const [value, expected] of cases) t.equal(parseTracingSwitch(value), expected, `TRACING=${JSON.stringify(value)}`)
  t.equal(sdkDisabled({ OTEL_SDK_DISABLED: 'TRUE' }), true)
  t.equal(sdkDisabled({ OTEL_SDK_DISABLED: 'false' }), false)
  t.equal(sdkDisabled({}), false)
})

t.test('defaults: the wrapper\'s const-1 sampler, W3C + Jaeger propagation (Jaeger last), OTLP http/protobuf on localhost', async t => {
  const config = resolve({})
  t.same(config, {
    enabled: true,
    serviceName: 'MyModel',
    resourceAttributes: {},
    protocol: 'http/protobuf',
    endpoint: 'http://localhost:4318/v1/traces',
    sampler: { name: 'parentbased_always_on', source: 'default' },
    propagators: ['tracecontext', 'baggage', 'jaeger'],
    extraTags: [],
    methodSpans: true,
    warnings: []
  })
})

t.test('OTEL_SDK_DISABLED=true keeps it off', async t => {
  t.equal(resolve({ OTEL_SDK_DISABLED: 'true' }).enabled, false)
})

t.test('service.name and the Seldon ids', async t => {
  const config = resolve({ SELDON_DEPLOYMENT_ID: 'dep', PREDICTOR_ID: 'pred', PREDICTIVE_UNIT_ID: 'unit', OTEL_SERVICE_NAME: 'ignored-here' })
  t.equal(config.serviceName, 'MyModel', 'the component name; OTEL_SERVICE_NAME is applied over it by the resource detector')
  t.same(config.resourceAttributes, { 'seldon.deployment.id': 'dep', 'seldon.predictor.id': 'pred', 'seldon.predictive_unit.id': 'unit' })
  t.same(resolve({ SELDON_DEPLOYMENT_ID: '' }).resourceAttributes, {}, 'empty ids are left out')
})

t.test('JAEGER_AGENT_HOST/PORT: OTLP to that host when no OTLP endpoint is set', async t => {
  const http = resolve({ JAEGER_AGENT_HOST: 'jaeger-agent', JAEGER_AGENT_PORT: '6831' })
  t.equal(http.endpoint, 'http://jaeger-agent:4318/v1/traces')
  t.match(http.warnings[0], /jaeger-agent.*4318.*agent port 6831 ignored/)
  t.equal(resolve({ JAEGER_AGENT_HOST: 'jaeger', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).endpoint, 'http://jaeger:4317')
  t.equal(resolve({ JAEGER_AGENT_HOST: '::1' }).endpoint, 'http://[::1]:4318/v1/traces', 'IPv6 in brackets')
  t.equal(resolve({ JAEGER_AGENT_HOST: 'jaeger', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).endpoint,
    'http://collector:4318/v1/traces', 'OTEL_EXPORTER_OTLP_ENDPOINT wins, with the signal path added')
  t.same(resolve({ JAEGER_AGENT_HOST: 'jaeger', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).warnings, [])
  t.equal(resolve({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).endpoint, 'http://collector:4318/v1/traces')
  t.equal(resolve({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:9/custom' }).endpoint,
    'http://t:9/custom', 'the traces endpoint is used as is')
  t.equal(resolve({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).endpoint, 'http://c:4317', 'gRPC: no path')
})

t.test('protocol: OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL', async t => {
  t.equal(resolve({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }).protocol, 'http/json')
  t.equal(resolve({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' }).protocol, 'grpc', 'the traces one wins')
  const bad = resolve({ OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift' })
  t.equal(bad.protocol, 'http/protobuf')
  t.match(bad.warnings[0], /thrift/)
})

t.test('sampler: OTEL_TRACES_SAMPLER first, then the Jaeger YAML, then JAEGER_SAMPLER_TYPE/PARAM', async t => {
  const rows: Array<[Record<string, string>, Partial<SamplerChoice>]> = [
    [{ OTEL_TRACES_SAMPLER: 'always_off' }, { name: 'always_off', source: 'OTEL_TRACES_SAMPLER' }],
    [{ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }, { name: 'parentbased_traceidratio', ratio: 0.25 }],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio' }, { name: 'traceidratio', ratio: 1 }],
    [{ OTEL_TRACES_SAMPLER: 'jaeger_remote' }, { name: 'parentbased_always_on', source: 'default' }],
    [{ JAEGER_SAMPLER_TYPE: 'const', JAEGER_SAMPLER_PARAM: '1' }, { name: 'parentbased_always_on', source: 'JAEGER_SAMPLER_TYPE' }],
    [{ JAEGER_SAMPLER_TYPE: 'const', JAEGER_SAMPLER_PARAM: '0' }, { name: 'parentbased_always_off', source: 'JAEGER_SAMPLER_TYPE' }],
    [{ JAEGER_SAMPLER_TYPE: 'const' }, { name: 'parentbased_always_on', source: 'JAEGER_SAMPLER_TYPE' }],
    [{ JAEGER_SAMPLER_TYPE: 'probabilistic', JAEGER_SAMPLER_PARAM: '0.1' }, { name: 'parentbased_traceidratio', ratio: 0.1 }],
    [{ JAEGER_SAMPLER_TYPE: 'probabilistic', JAEGER_SAMPLER_PARAM: '7' }, { name: 'parentbased_always_on', source: 'default' }],
    [{ JAEGER_SAMPLER_TYPE: 'ratelimiting', JAEGER_SAMPLER_PARAM: '2' }, { name: 'parentbased_always_on', source: 'default' }],
    [{ JAEGER_SAMPLER_TYPE: 'remote' }, { name: 'parentbased_always_on', source: 'default' }],
    [{ JAEGER_SAMPLER_TYPE: 'const', JAEGER_SAMPLER_PARAM: '0', OTEL_TRACES_SAMPLER: 'always_on' }, { name: 'always_on', source: 'OTEL_TRACES_SAMPLER' }]
  ]
  for (const [env, expected] of rows) t.match(resolve(env).sampler, expected, JSON.stringify(env))
  const badArg = resolve({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: 'half' })
  t.equal(badArg.sampler.ratio, 1)
  t.match(badArg.warnings[0], /half/)
  t.match(resolve({ JAEGER_SAMPLER_TYPE: 'ratelimiting' }).warnings[0], /ratelimiting.*no OpenTelemetry equivalent/)
  t.equal(describeSampler({ name: 'parentbased_traceidratio', ratio: 0.5, source: 'x' }), 'parentbased_traceidratio(0.5)')
  t.equal(describeSampler({ name: 'always_on', source: 'x' }), 'always_on')
})

t.test('the samplers built decide as named', async t => {
  const decide = (choice: SamplerChoice, parentSampled?: boolean, traceId = 'ffffffffffffffffffffffffffffffff') => {
    const ctx = parentSampled === undefined
      ? ROOT_CONTEXT
      : trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: '1111111111111111', isRemote: true, traceFlags: parentSampled ? TraceFlags.SAMPLED : TraceFlags.NONE })
    return buildSampler(choice).shouldSample(ctx, traceId, 'Predict', SpanKind.SERVER, {}, []).decision
  }
  const ON = SamplingDecision.RECORD_AND_SAMPLED
  const OFF = SamplingDecision.NOT_RECORD
  t.equal(decide({ name: 'parentbased_always_on', source: '' }), ON, 'root sampled (the wrapper\'s const 1)')
  t.equal(decide({ name: 'parentbased_always_on', source: '' }, false), OFF, 'the executor\'s flags 0 obeyed')
  t.equal(decide({ name: 'parentbased_always_off', source: '' }), OFF)
  t.equal(decide({ name: 'parentbased_always_off', source: '' }, true), ON, 'a sampled parent obeyed')
  t.equal(decide({ name: 'always_on', source: '' }, false), ON, 'always_on ignores the parent')
  t.equal(decide({ name: 'always_off', source: '' }, true), OFF)
  t.equal(decide({ name: 'parentbased_traceidratio', ratio: 0, source: '' }), OFF)
  t.equal(decide({ name: 'parentbased_traceidratio', ratio: 1, source: '' }), ON)
  t.equal(decide({ name: 'traceidratio', ratio: 0, source: '' }, true), OFF, 'traceidratio ignores the parent')
  let sampled = 0
  for (let i = 0; i < 1000; i++) {
    const traceId = (BigInt(i) * 0x9e3779b97f4a7c15n % (1n << 128n)).toString(16).padStart(32, '0').replace(/^0{32}$/, '1'.padStart(32, '0'))
    if (decide({ name: 'traceidratio', ratio: 0.25, source: '' }, undefined, traceId) === ON) sampled++
  }
  t.ok(sampled > 150 && sampled < 350, `ratio 0.25 samples about a quarter (${sampled}/1000)`)
})

t.test('propagators: OTEL_PROPAGATORS as given, else Jaeger last, B3 when the Jaeger config asks', async t => {
  t.same(resolve({ OTEL_PROPAGATORS: 'jaeger, tracecontext' }).propagators, ['jaeger', 'tracecontext'], 'explicit order kept')
  t.same(resolve({ OTEL_PROPAGATORS: 'none' }).propagators, [])
  const odd = resolve({ OTEL_PROPAGATORS: 'tracecontext,xray,tracecontext' })
  t.same(odd.propagators, ['tracecontext'])
  t.match(odd.warnings[0], /xray/)
  t.same(resolve({ JAEGER_TRACE_PROPAGATION_TYPE: 'b3' }).propagators, ['tracecontext', 'baggage', 'b3multi', 'jaeger'])
  t.same(resolve({ JAEGER_CONFIG_PATH: '/j.yaml' }, { '/j.yaml': 'propagation: b3\n' }).propagators, ['tracecontext', 'baggage', 'b3multi', 'jaeger'])
})

t.test('JAEGER_TAGS and YAML tags: resource attributes under OTEL_RESOURCE_ATTRIBUTES', async t => {
  t.same(parseKeyValueList(' a = 1 ,b=2=3,,=x,novalue,c='), { a: '1', b: '2=3', c: '' })
  t.same(resolve({ JAEGER_TAGS: 'team=ml,zone=eu', PREDICTOR_ID: 'p' }).resourceAttributes, { team: 'ml', zone: 'eu', 'seldon.predictor.id': 'p' })
  t.same(resolve({ JAEGER_TAGS: 'team=ml', JAEGER_CONFIG_PATH: '/j.yaml' }, { '/j.yaml': 'tags:\n  team: data\n  version: 3\n' }).resourceAttributes,
    { team: 'data', version: '3' }, 'YAML tags over JAEGER_TAGS')
})

t.test('JAEGER_CONFIG_PATH: sampler, agent host, service name, enabled; the rest named in a warning', async t => {
  const yaml = [
    'service_name: from-yaml',
    'sampler:',
    '  type: probabilistic',
    '  param: 0.5',
    'local_agent:',
    '  reporting_host: agent.tracing',
    '  reporting_port: 5775',
    'logging: true',
    'trace_id_header: my-trace-id',
    'reporter_batch_size: 1'
  ].join('\n')
  const config = resolve({ JAEGER_CONFIG_PATH: '/j.yaml', JAEGER_SAMPLER_TYPE: 'const', JAEGER_AGENT_HOST: 'env-agent' }, { '/j.yaml': yaml })
  t.equal(config.serviceName, 'from-yaml')
  t.match(config.sampler, { name: 'parentbased_traceidratio', ratio: 0.5, source: 'JAEGER_CONFIG_PATH' }, 'YAML over JAEGER_SAMPLER_TYPE')
  t.equal(config.endpoint, 'http://agent.tracing:4318/v1/traces', 'YAML agent host over JAEGER_AGENT_HOST')
  t.match(config.warnings.join('\n'), /trace_id_header, reporter_batch_size not mapped/)
  t.match(config.warnings.join('\n'), /agent port 5775 ignored/)
  t.equal(resolve({ JAEGER_CONFIG_PATH: '/j.yaml' }, { '/j.yaml': 'sampler:\n  type: const\n  param: 0\n' }).sampler.name, 'parentbased_always_off')
  t.equal(resolve({ JAEGER_CONFIG_PATH: '/j.yaml' }, { '/j.yaml': 'enabled: false\n' }).enabled, false)
  const missing = resolve({ JAEGER_CONFIG_PATH: '/nope.yaml' })
  t.equal(missing.enabled, true, 'an unreadable file is ignored (the wrapper would crash)')
  t.match(missing.warnings[0], /nope\.yaml could not be read/)
  t.match(resolve({ JAEGER_CONFIG_PATH: '/j.yaml' }, { '/j.yaml': '- a\n- b\n' }).warnings[0], /not a YAML mapping/)
  t.match(resolve({ JAEGER_CONFIG_PATH: '/j.yaml' }, { '/j.yaml': 'a: [' }).warnings[0], /could not be read/)
})

t.test('JAEGER_EXTRA_TAGS and the method-span switch', async t => {
  t.same(resolve({ JAEGER_EXTRA_TAGS: ' path, ,remote_addr,' }).extraTags, ['path', 'remote_addr'])
  t.equal(resolve({ SELDON_TRACING_METHOD_SPAN: '0' }).methodSpans, false)
  t.equal(resolve({ SELDON_TRACING_METHOD_SPAN: 'false' }).methodSpans, false)
  t.equal(resolve({ SELDON_TRACING_METHOD_SPAN: '1' }).methodSpans, true)
})
