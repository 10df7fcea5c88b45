import t from 'tap'
import { DEFAULT_MAX_MESSAGE_LENGTH, DEFAULT_RECEIVE_WINDOW, HTTP2_DEFAULT_WINDOW as GRPC_HTTP2_DEFAULT_WINDOW } from '@fastify-seldon/grpc'
import { DEFAULTS, HTTP2_DEFAULT_WINDOW, parseCommand, parseParameters, UsageError, USAGE, type MicroserviceConfig } from '../src/options.js'

function caught (fn: () => unknown): unknown {
  try { fn() } catch (err) { return err }
  throw new Error('expected a throw')
}

function run (argv: string[], env: NodeJS.ProcessEnv = {}): MicroserviceConfig {
  const parsed = parseCommand(argv, env)
  if (parsed.kind !== 'run') throw new Error(`expected a run command, got ${parsed.kind}`)
  return parsed.config
}

t.test('defaults are the wrapper\'s', async t => {
  const c = run(['model.ts'])
  t.match(c, {
    module: 'model.ts',
    exportName: undefined,
    serviceType: 'MODEL',
    host: '0.0.0.0',
    httpPort: 9000,
    grpcPort: 5000,
    metricsPort: 6000,
    metricsEndpoint: '/metrics',
    grpcEnabled: true,
    logLevel: 'info',
    workers: 1,
    gracePeriodMs: 25_000,
    maxEventLoopDelay: 1000,
    maxHeapUsedBytes: 0,
    maxRssBytes: 0,
    bodyLimit: 10 * 1024 * 1024,
    requestTimeout: 0,
    tracing: false,
    ignored: []
  })
  t.same(c.parameters, {})
  t.equal(DEFAULTS.httpPort, 9000)
})

t.test('environment variables', async t => {
  const c = run(['MyModel'], {
    SERVICE_TYPE: 'router',
    PREDICTIVE_UNIT_HTTP_SERVICE_PORT: '9100',
    PREDICTIVE_UNIT_GRPC_SERVICE_PORT: '9500',
    PREDICTIVE_UNIT_METRICS_SERVICE_PORT: '6100',
    PREDICTIVE_UNIT_METRICS_ENDPOINT: 'prometheus',
    PREDICTIVE_UNIT_PARAMETERS: '[{"name":"a","value":"1","type":"INT"}]',
    SELDON_LOG_LEVEL: 'warning',
    GUNICORN_WORKERS: '3',
    SELDON_GRACE_PERIOD_SECONDS: '2.5',
    GRPC_WORKERS: '0'
  })
  t.match(c, {
    serviceType: 'ROUTER',
    httpPort: 9100,
    grpcPort: 9500,
    metricsPort: 6100,
    metricsEndpoint: '/prometheus',
    logLevel: 'warn',
    workers: 3,
    gracePeriodMs: 2500,
    grpcEnabled: false
  })
  t.same(c.parameters, { a: 1 })
  t.equal(run(['m'], { GUNICORN_WORKERS: '3', SELDON_WORKERS: '2' }).workers, 2, 'SELDON_WORKERS beats GUNICORN_WORKERS')
  t.equal(run(['m'], { PREDICTIVE_UNIT_HTTP_SERVICE_PORT: '' }).httpPort, 9000, 'an empty variable is unset')
})

t.test('flags beat the environment, except the log level (as seldon_core/microservice.py)', async t => {
  const env = { PREDICTIVE_UNIT_HTTP_SERVICE_PORT: '9100', SERVICE_TYPE: 'ROUTER', GUNICORN_WORKERS: '3', SELDON_LOG_LEVEL: 'ERROR' }
  const c = run(['m.js', '--http-port', '9200', '--service-type=COMBINER', '--workers', '2', '--log-level', 'DEBUG'], env)
  t.match(c, { httpPort: 9200, serviceType: 'COMBINER', workers: 2, logLevel: 'error' })
  t.equal(run(['m.js', '--log-level', 'DEBUG']).logLevel, 'debug')
})

t.test('every flag', async t => {
  const c = run([
    'm.js', '--export', 'Thing', '--grpc-port', '1', '--metrics-port', '2', '--http-port', '3', '--metrics-endpoint', '/p',
    '--parameters', '[{"name":"s","value":"x","type":"STRING"}]', '--grace-period', '0', '--grpc-workers', '2',
    '--host', '127.0.0.1', '--max-event-loop-delay', '0', '--max-heap-used-bytes', '100', '--max-rss-bytes', '200',
    '--body-limit', '1024', '--request-timeout', '5000'
  ])
  t.match(c, {
    exportName: 'Thing',
    grpcPort: 1,
    metricsPort: 2,
    httpPort: 3,
    metricsEndpoint: '/p',
    gracePeriodMs: 0,
    grpcEnabled: true,
    host: '127.0.0.1',
    maxEventLoopDelay: 0,
    maxHeapUsedBytes: 100,
    maxRssBytes: 200,
    bodyLimit: 1024,
    requestTimeout: 5000
  })
  t.same(c.parameters, { s: 'x' })
})

t.test("the gRPC defaults are seldonGrpc's own", async t => {
  t.equal(DEFAULTS.grpcMaxMessageSize, DEFAULT_MAX_MESSAGE_LENGTH)
  t.equal(DEFAULTS.grpcReceiveWindow, DEFAULT_RECEIVE_WINDOW)
  t.equal(HTTP2_DEFAULT_WINDOW, GRPC_HTTP2_DEFAULT_WINDOW)
})

t.test('limits: defaults, flags, environment variables', async t => {
  const cases: Array<[keyof MicroserviceConfig, string, string, number, number]> = [
    ['grpcMaxMessageSize', 'grpc-max-message-size', 'SELDON_GRPC_MAX_MESSAGE_SIZE', 4 * 1024 * 1024, 1],
    ['maxConnections', 'max-connections', 'SELDON_MAX_CONNECTIONS', 1024, 0],
    ['bodyTimeout', 'body-timeout', 'SELDON_BODY_TIMEOUT', 30_000, 0],
    ['maxMetricSeries', 'max-metric-series', 'SELDON_MAX_METRIC_SERIES', 1000, 1],
    ['maxConcurrentRequests', 'max-concurrent-requests', 'SELDON_MAX_CONCURRENT_REQUESTS', 32, 0],
    ['maxQueuedRequests', 'max-queued-requests', 'SELDON_MAX_QUEUED_REQUESTS', 128, 0]
  ]
  for (const [key, flag, variable, fallback, min] of cases) {
    t.equal(run(['m'])[key], fallback, `${key}: default ${fallback}`)
    t.equal(run(['m'], { [variable]: '77' })[key], 77, `${key}: ${variable}`)
    t.equal(run(['m', `--${flag}`, '5'], { [variable]: '77' })[key], 5, `${key}: --${flag} beats ${variable}`)
    t.equal(run(['m', `--${flag}`, String(min)])[key], min, `${key}: ${min} is allowed`)
    if (min > 0) t.throws(() => run(['m', `--${flag}`, String(min - 1)]), UsageError, `${key}: ${min - 1} is refused`)
    t.throws(() => run(['m', `--${flag}`, 'lots']), UsageError, `${key}: not a number`)
    t.match(USAGE, new RegExp(`--${flag} <value>.*\\[${variable}\\]`), `--${flag} in the usage`)
  }
})

t.test('--grpc-receive-window: 1 MiB by default, 0 for HTTP/2\'s own, no window below 65535', async t => {
  t.equal(run(['m']).grpcReceiveWindow, 1024 * 1024)
  t.equal(run(['m'], { SELDON_GRPC_RECEIVE_WINDOW: '0' }).grpcReceiveWindow, 0)
  t.equal(run(['m', '--grpc-receive-window', '65535'], { SELDON_GRPC_RECEIVE_WINDOW: '0' }).grpcReceiveWindow, 65535)
  t.equal(run(['m', '--grpc-receive-window', String(2 ** 31 - 1)]).grpcReceiveWindow, 2 ** 31 - 1)
  t.throws(() => run(['m', '--grpc-receive-window', '65534']), UsageError)
  t.throws(() => run(['m', '--grpc-receive-window', String(2 ** 31)]), UsageError)
  t.throws(() => run(['m', '--grpc-receive-window', 'big']), UsageError)
  t.match(USAGE, /--grpc-receive-window <value>.*\[SELDON_GRPC_RECEIVE_WINDOW\]/)
})

t.test('help, version, compatibility flags', async t => {
  t.same(parseCommand(['--help']), { kind: 'help' })
  t.same(parseCommand(['-h']), { kind: 'help' })
  t.same(parseCommand(['m', '--version']), { kind: 'version' })
  t.match(USAGE, /--http-port <value>\s+REST port \(default 9000\) \[PREDICTIVE_UNIT_HTTP_SERVICE_PORT\]/)
  t.same(run(['m', '--persistence', '0', '--debug', '--threads', '4']).ignored, ['persistence', 'threads', 'debug'])
})

t.test('--tracing and TRACING are read as the wrapper reads them (any non-zero integer), true too', async t => {
  t.equal(run(['m', '--tracing']).tracing, true, 'the flag alone is 1')
  t.equal(run(['m', '--tracing', '0']).tracing, false, 'an integer after the flag is its value')
  t.equal(run(['m', '--tracing=2']).tracing, true)
  t.equal(run(['--tracing', '1', 'm']).module, 'm', 'the value is not taken for the module')
  t.equal(run(['m', '--tracing', '0'], { TRACING: '1' }).tracing, false, 'the flag beats the variable')
  for (const [value, on] of [['1', true], ['-1', true], ['0', false], ['', false], ['true', true], ['TRUE', true], ['false', false], [' 3 ', true]] as const) {
    t.equal(run(['m'], { TRACING: value }).tracing, on, `TRACING=${JSON.stringify(value)}`)
  }
  const err = caught(() => parseCommand(['m'], { TRACING: 'yes' }))
  t.ok(err instanceof UsageError)
  t.match((err as Error).message, /TRACING must be an integer \(0: off\) or true\/false, got "yes"/)
  t.match(caught(() => parseCommand(['m', '--tracing=on'])), { message: /--tracing must be an integer/ })
  t.notOk(run(['m', '--tracing']).ignored.includes('tracing'), 'no longer an ignored compatibility flag')
  t.match(USAGE, /--tracing\s+trace requests with OpenTelemetry[^\n]*\[TRACING\]/)
})

t.test('usage errors', async t => {
  const usage = (argv: string[], env: NodeJS.ProcessEnv, pattern: RegExp, exitCode = 2): void => {
    const err = caught(() => parseCommand(argv, env))
    t.type(err, UsageError)
    t.match((err as Error).message, pattern, argv.join(' '))
    t.equal((err as UsageError).exitCode, exitCode)
  }
  usage(['m', '--bogus'], {}, /^Unknown args \["--bogus"\]/, 255)
  usage(['m', 'REST'], {}, /^Unknown args \["REST"\]/, 255)
  usage(['m', '--bogus=1', 'x'], {}, /Unknown args \["--bogus=1","x"\]/, 255)
  usage([], {}, /component module is required/)
  usage(['m', '--http-port'], {}, /--http-port needs a value/)
  usage(['m', '--http-port', 'abc'], {}, /--http-port must be an integer from 0 to 65535, got "abc"/)
  usage(['m', '--http-port', '70000'], {}, /--http-port must be an integer/)
  usage(['m'], { PREDICTIVE_UNIT_GRPC_SERVICE_PORT: '-1' }, /PREDICTIVE_UNIT_GRPC_SERVICE_PORT must be an integer/)
  usage(['m', '--service-type', 'OUTLIER'], {}, /--service-type must be one of MODEL, ROUTER/)
  usage(['m'], { SERVICE_TYPE: 'X' }, /SERVICE_TYPE must be one of/)
  usage(['m', '--log-level', 'TRACE'], {}, /--log-level must be one of DEBUG, INFO, WARNING, ERROR/)
  usage(['m'], { SELDON_LOG_LEVEL: 'loud' }, /SELDON_LOG_LEVEL must be one of/)
  usage(['m', '--workers', '0'], {}, /--workers must be an integer from 1/)
  usage(['m'], { GUNICORN_WORKERS: '1.5' }, /GUNICORN_WORKERS must be an integer/)
  usage(['m', '--grace-period', 'soon'], {}, /--grace-period must be a number of seconds/)
  usage(['m', '--grace-period', '-1'], {}, /--grace-period must be a number of seconds/)
  usage(['m', '--export', ' '], {}, /--export needs a name/)
  usage(['m', '--body-limit', '0'], {}, /--body-limit must be an integer from 1/)
  usage(['m', '--http-port', '7000', '--grpc-port', '7000'], {}, /--http-port and --grpc-port are both 7000/)
  t.equal(run(['m', '--http-port', '7000', '--grpc-port', '7000', '--grpc-workers', '0']).httpPort, 7000, 'gRPC off: no clash')
  t.equal(run(['m', '--http-port', '0', '--metrics-port', '0']).httpPort, 0, 'port 0 never clashes')
})

t.test('parameters: the wrapper\'s conversions', async t => {
  const p = (type: string, value: unknown): unknown => parseParameters(JSON.stringify([{ name: 'x', value, type }])).x
  t.equal(p('INT', '7'), 7)
  t.equal(p('INT', '007'), 7)
  t.equal(p('INT', ' -12 '), -12)
  t.equal(p('INT', '+3'), 3)
  t.equal(p('INT', '1_000'), 1000)
  t.equal(p('INT', '123456789012345678901234567890'), 123456789012345678901234567890n, 'beyond 2^53: a BigInt')
  t.equal(p('INT', 5), 5, 'a JSON number is accepted')
  t.equal(p('FLOAT', '1.5'), 1.5)
  t.equal(p('FLOAT', '1'), 1)
  t.equal(p('DOUBLE', '-2.5e3'), -2500)
  t.equal(p('DOUBLE', '.5'), 0.5)
  t.equal(p('DOUBLE', '5.'), 5)
  t.equal(p('FLOAT', 'inf'), Infinity)
  t.equal(p('FLOAT', '-Infinity'), -Infinity)
  t.ok(Number.isNaN(p('FLOAT', 'nan')))
  t.equal(p('STRING', 'hello world'), 'hello world')
  t.equal(p('STRING', ''), '')
  for (const yes of ['y', 'YES', 't', 'True', 'on', '1']) t.equal(p('BOOL', yes), true, yes)
  for (const no of ['n', 'No', 'f', 'FALSE', 'off', '0']) t.equal(p('BOOL', no), false, no)
  t.same(p('JSON', '{"a":[1,2],"b":null}'), { a: [1, 2], b: null })
  t.same(p('JSON', { already: 'parsed' }), { already: 'parsed' })
  t.same(parseParameters('[]'), {})
  t.same(parseParameters(JSON.stringify([
    { name: 'a', value: '1', type: 'INT' }, { name: 'b', value: 'x', type: 'STRING' }, { name: 'a', value: '2', type: 'INT' }
  ])), { a: 2, b: 'x' }, 'a repeated name: the last wins')
})

t.test('parameters: errors with the wrapper\'s messages', async t => {
  const bad = (list: unknown, message: string | RegExp): void => {
    const err = caught(() => parseParameters(typeof list === 'string' ? list : JSON.stringify(list)))
    t.equal((err as { reason?: string }).reason, 'MICROSERVICE_BAD_PARAMETER')
    if (typeof message === 'string') t.equal((err as Error).message, message)
    else t.match((err as Error).message, message)
  }
  const one = (value: unknown, type: string): unknown[] => [{ name: 'x', value, type }]
  bad(one('1.5', 'INT'), "Bad model parameter: x with value 1.5 can't be parsed as a INT")
  bad(one('', 'INT'), "Bad model parameter: x with value  can't be parsed as a INT")
  bad(one('0x10', 'INT'), "Bad model parameter: x with value 0x10 can't be parsed as a INT")
  bad(one('1e3', 'INT'), "Bad model parameter: x with value 1e3 can't be parsed as a INT")
  bad(one('abc', 'FLOAT'), "Bad model parameter: x with value abc can't be parsed as a FLOAT")
  bad(one('', 'DOUBLE'), "Bad model parameter: x with value  can't be parsed as a DOUBLE")
  bad(one('1__0', 'DOUBLE'), "Bad model parameter: x with value 1__0 can't be parsed as a DOUBLE")
  bad(one('maybe', 'BOOL'), "Bad model parameter: x with value maybe can't be parsed as a BOOL")
  bad(one('{nope', 'JSON'), "Bad model parameter: x with value {nope can't be parsed as a JSON")
  bad(one({ a: 1 }, 'STRING'), 'Bad model parameter: x with value {"a":1} can\'t be parsed as a STRING')
  bad(one(null, 'INT'), "Bad model parameter: x with value null can't be parsed as a INT")
  bad(one('1', 'LONG'), 'Bad model parameter type: LONG valid are INT, FLOAT, DOUBLE, STRING, BOOL, JSON')
  bad(one('1', 'int'), 'Bad model parameter type: int valid are INT, FLOAT, DOUBLE, STRING, BOOL, JSON')
  bad([{ name: 'x', value: '1' }], /^Bad model parameter type: undefined valid are/)
  bad('{not json', /^Bad model parameters: not JSON/)
  bad({ name: 'x' }, /^Bad model parameters: expected a JSON list/)
  bad([1], /^Bad model parameters: entry 0 must be an object/)
  bad([{ value: '1', type: 'INT' }], /^Bad model parameters: entry 0 needs a "name" string/)
  bad([{ name: 'x', type: 'INT' }], /^Bad model parameters: entry 0 \(x\) needs a "value"/)
})

t.test('parameters cannot pollute prototypes', async t => {
  const params = parseParameters(JSON.stringify([
    { name: '__proto__', value: '{"polluted":true}', type: 'JSON' },
    { name: 'constructor', value: 'c', type: 'STRING' },
    { name: 'prototype', value: '{"polluted":true}', type: 'JSON' },
    { name: 'nested', value: '{"__proto__":{"polluted":true}}', type: 'JSON' }
  ]))
  t.equal(Object.getPrototypeOf(params), Object.prototype, 'the object keeps the plain prototype')
  t.same(Object.keys(params), ['__proto__', 'constructor', 'prototype', 'nested'], 'each name is an own, enumerable key')
  t.same(Object.getOwnPropertyDescriptor(params, '__proto__')?.value, { polluted: true })
  t.equal(params.constructor, 'c')
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched')
  t.equal((params as Record<string, unknown>).polluted, undefined)
  t.equal((params.nested as Record<string, unknown>).polluted, undefined, 'nested __proto__ is an own key of the nested object')
  t.ok(Object.hasOwn(params.nested as object, '__proto__'))
  // What a user does with them: spread and destructure.
  const { constructor: c, ...rest } = params
  t.equal(c, 'c')
  t.equal(Object.getPrototypeOf({ ...rest }), Object.prototype)
})

t.test('adaptive batching: --max-batch-size, --max-batch-time, their environment variables (ours and MLServer\'s)', async t => {
  t.match(run(['m.js']), { maxBatchSize: 0, maxBatchTimeMs: 10 }, 'off by default')
  t.match(run(['m.js', '--max-batch-size', '16', '--max-batch-time', '5']), { maxBatchSize: 16, maxBatchTimeMs: 5 })
  t.match(run(['m.js'], { SELDON_MAX_BATCH_SIZE: '8', SELDON_MAX_BATCH_TIME: '0' }), { maxBatchSize: 8, maxBatchTimeMs: 0 })
  t.match(run(['m.js'], { MLSERVER_MODEL_MAX_BATCH_SIZE: '4', MLSERVER_MODEL_MAX_BATCH_TIME: '0.025' }), { maxBatchSize: 4, maxBatchTimeMs: 25 },
    "MLServer's variables: its time in seconds")
  t.match(run(['m.js', '--max-batch-time', '3'], { MLSERVER_MODEL_MAX_BATCH_TIME: '1' }), { maxBatchTimeMs: 3 }, 'the flag wins')
  t.match(caught(() => run(['m.js', '--max-batch-size', '-1'])), { message: /--max-batch-size must be an integer from 0 to 65536/ })
  t.match(caught(() => run(['m.js', '--max-batch-time', '1e3'])), { message: /--max-batch-time must be an integer/ })
  t.match(caught(() => run(['m.js'], { MLSERVER_MODEL_MAX_BATCH_TIME: 'soon' })), { message: /MLSERVER_MODEL_MAX_BATCH_TIME must be seconds/ })
  t.match(USAGE, /--max-batch-size <value>.*\[SELDON_MAX_BATCH_SIZE \| MLSERVER_MODEL_MAX_BATCH_SIZE\]/)
})
