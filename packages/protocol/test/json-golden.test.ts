/**
 * Golden cases: every distinct REST JSON body recorded from the real seldon-core 1.18.2 Python
 * wrapper (the exchanges of test/fixtures/rest-transcripts.json at the repository root; its bytes,
 * minus Flask's trailing newline), and tables produced by CPython 3.11's json and repr() (the
 * wrapper's Python). The rules they pin down are in docs/wire-format.md.
 */
import t from 'tap'
import { isJsonSyntaxError, parseJson } from '../src/json-parse.js'
import { stringifyJson } from '../src/json-stringify.js'
import { formatFloat } from '../src/py-number.js'
import { pyRepr } from '../src/py-repr.js'
import { SeldonError } from '../src/errors.js'

/** Response bodies recorded from the Python wrapper: parse then stringify must give the same bytes. */
const transcriptBodies: string[] = [
  '{"data":{"names":["t:0","t:1","t:2","t:3"],"ndarray":[[1.0,2.0,3.0,4.0]]},"meta":{}}',
  '{"data":{"names":["t:0","t:1","t:2"],"ndarray":[[1,2,3]]},"meta":{}}',
  '{"data":{"names":[],"ndarray":["a",1,null,true]},"meta":{}}',
  '{"data":{"names":["t:0","t:1"],"tensor":{"shape":[2,2],"values":[1.0,2.0,3.0,4.5]}},"meta":{}}',
  '{"meta":{},"strData":"hello world"}',
  '{"jsonData":{"a":[1,2],"b":"x","c":{"d":null}},"meta":{}}',
  '{"binData":"aGVsbG8gYmluYXJ5","meta":{}}',
  '{"data":{"names":["t:0","t:1"],"ndarray":[[0.5,1.5]]},"meta":{"puid":"abc123","requestPath":{"m":"img:1"},"tags":{"n":1,"t":"x"}}}',
  '{"meta":{},"strData":"hello multipart"}',
  '{"binData":"AAFiaW5hcnn/","meta":{}}',
  '{"meta":{"puid":"p-1"},"strData":"file text\\n"}',
  '{"meta":{},"strData":"healthy"}',
  '{"custom":{},"inputs":[],"name":"","outputs":[],"platform":"","versions":[""]}',
  '{"data":{"ndarray":[]},"meta":{}}',
  '{"status":{"code":-1,"info":"Route not defined","reason":"MICROSERVICE_BAD_DATA","status":1}}',
  '{"status":{"code":-1,"info":"Aggregate not defined","reason":"MICROSERVICE_BAD_DATA","status":1}}',
  "{\"status\":{\"code\":-1,\"info\":\"Can't find JSON in data\",\"reason\":\"MICROSERVICE_BAD_DATA\",\"status\":1}}",
  '{"status":{"code":-1,"info":"Invalid request data type: {}","reason":"MICROSERVICE_BAD_DATA","status":1}}',
  '{"data":{"names":[],"ndarray":[]},"meta":{}}',
  '{"status":{"code":-1,"info":"cannot reshape array of size 3 into shape (2,2)","reason":"MICROSERVICE_INTERNAL_ERROR","status":1}}',
  '{"status":{"code":-1,"info":"setting an array element with a sequence. The requested array has an inhomogeneous shape after 1 dimensions. The detected shape was (2,) + inhomogeneous part.","reason":"MICROSERVICE_INTERNAL_ERROR","status":1}}',
  '{"status":{"code":-1,"info":"404 Not Found: The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.","reason":"MICROSERVICE_INTERNAL_ERROR","status":1}}',
  '{"status":{"code":-1,"info":"405 Method Not Allowed: The method is not allowed for the requested URL.","reason":"MICROSERVICE_INTERNAL_ERROR","status":1}}',
  '{"data":{"names":["a","b","c","d"],"ndarray":[[3.0,6.0,9.0,12.0]]},"meta":{"metrics":[{"key":"rich_calls_total","type":"COUNTER","value":1},{"key":"rich_multiplier","type":"GAUGE","value":3.0},{"key":"rich_fake_timer","type":"TIMER","value":12.5},{"key":"rich_tagged","tags":{"kind":"x","method":"predict"},"type":"COUNTER","value":1}],"tags":{"model":"rich","version":"v1"}}}',
  '{"data":{"names":["a","b","c","d"],"tensor":{"shape":[1,4],"values":[3.0,6.0,9.0,12.0]}},"meta":{"metrics":[{"key":"rich_calls_total","type":"COUNTER","value":1},{"key":"rich_multiplier","type":"GAUGE","value":3.0},{"key":"rich_fake_timer","type":"TIMER","value":12.5},{"key":"rich_tagged","tags":{"kind":"x","method":"predict"},"type":"COUNTER","value":1}],"tags":{"model":"rich","version":"v1"}}}',
  '{"data":{"names":[],"ndarray":[3.0,6.0]},"meta":{"metrics":[{"key":"rich_calls_total","type":"COUNTER","value":1},{"key":"rich_multiplier","type":"GAUGE","value":3.0},{"key":"rich_fake_timer","type":"TIMER","value":12.5},{"key":"rich_tagged","tags":{"kind":"x","method":"predict"},"type":"COUNTER","value":1}],"tags":{"model":"rich","version":"v1"}}}',
  '{"data":{"names":["a","b","c","d"],"ndarray":[[3.0,6.0,9.0,12.0]]},"meta":{"metrics":[{"key":"rich_calls_total","type":"COUNTER","value":1},{"key":"rich_multiplier","type":"GAUGE","value":3.0},{"key":"rich_fake_timer","type":"TIMER","value":12.5},{"key":"rich_tagged","tags":{"kind":"x","method":"predict"},"type":"COUNTER","value":1}],"tags":{"client":"yes","model":"rich","version":"v1"}}}',
  '{"jsonData":{"calls":4,"healthy":true},"meta":{"metrics":[{"key":"rich_calls_total","type":"COUNTER","value":1},{"key":"rich_multiplier","type":"GAUGE","value":3.0},{"key":"rich_fake_timer","type":"TIMER","value":12.5},{"key":"rich_tagged","tags":{"kind":"x","method":"health"},"type":"COUNTER","value":1}],"tags":{"model":"rich","version":"v1"}}}',
  '{"custom":{"author":"ref"},"inputs":[{"messagetype":"tensor","schema":{"names":["a","b","c","d"],"shape":[4]}}],"name":"rich-model","outputs":[{"messagetype":"tensor","schema":{"shape":[4]}}],"platform":"seldon","versions":["v1"]}',
  '{"data":{"names":["t:0"],"ndarray":[[0]]},"meta":{}}',
  '{"data":{"names":["t:0"],"ndarray":[[1]]},"meta":{}}',
  '{"data":{"names":["t:0"],"tensor":{"shape":[1,1],"values":[1]}},"meta":{}}',
  '{"data":{"names":["t:0","t:1"],"ndarray":[[2.0,4.0]]},"meta":{}}',
  '{"data":{"names":["t:0","t:1"],"tensor":{"shape":[1,2],"values":[2.0,4.0]}},"meta":{}}',
  '{"data":{"names":["t:0","t:1"],"ndarray":[[2.0,3.0]]},"meta":{"tags":{"a":1,"b":2}}}',
  "{\"status\":{\"code\":-1,\"info\":\"Invalid request data type: {'data': {'ndarray': [[1.0, 2.0, 3.0, 4.0]]}}\",\"reason\":\"MICROSERVICE_BAD_DATA\",\"status\":1}}",
  '{"data":{"names":["t:0","t:1","t:2","t:3"],"ndarray":[[2.0,3.0,4.0,5.0]]},"meta":{}}',
  '{"data":{"names":["t:0","t:1","t:2","t:3"],"ndarray":[[10.0,20.0,30.0,40.0]]},"meta":{}}',
  '{"data":{"names":["t:0","t:1"],"tensor":{"shape":[1,2],"values":[2.0,3.0]}},"meta":{}}',
  '{"data":{"names":["t:0","t:1"],"ndarray":[[1,2]]},"meta":{}}',
  '{"status":{"app_code":1402,"message":"Test-Error-Msg","status":402}}',
  '{"status":{"code":-1,"info":"zero is not allowed","reason":"MICROSERVICE_INTERNAL_ERROR","status":1}}',
  '{"data":{"names":["t:0","t:1"],"ndarray":[[0.0,0]]},"meta":{"metrics":[{"key":"feedback_total_reward","type":"GAUGE","value":0.0}]}}',
  '{"data":{"names":["t:0"],"ndarray":[[1.0]]},"meta":{"metrics":[{"key":"feedback_total_reward","type":"GAUGE","value":1.5}]}}',
  '{"data":{"names":["t:0"],"ndarray":[[1.0]]},"meta":{"metrics":[{"key":"feedback_total_reward","type":"GAUGE","value":3.0}]}}',
  '{"data":{"names":["t:0","t:1"],"ndarray":[[3.0,2]]},"meta":{"metrics":[{"key":"feedback_total_reward","type":"GAUGE","value":3.0}]}}',
  '{"data":{"ndarray":[]},"meta":{"metrics":[{"key":"feedback_total_reward","type":"GAUGE","value":5.0}]}}',
]

/** Request texts and what CPython's json.dumps(json.loads(text), sort_keys=True, separators=(',', ':')) writes. */
const pythonDumps: Array<[string, string]> = [
  ['{"meta":{"puid":"abc123","tags":{"t":"x","n":1},"routing":{"r":1},"requestPath":{"m":"img:1"}},"data":{"names":["f0","f1"],"ndarray":[[0.5,1.5]]}}', '{"data":{"names":["f0","f1"],"ndarray":[[0.5,1.5]]},"meta":{"puid":"abc123","requestPath":{"m":"img:1"},"routing":{"r":1},"tags":{"n":1,"t":"x"}}}'],
  ['{"request":{"data":{"ndarray":[[1.0,2.0]]}},"response":{"data":{"ndarray":[[1.0,2.0]]}},"reward":1.0,"truth":{"data":{"ndarray":[[1.0]]}}}', '{"request":{"data":{"ndarray":[[1.0,2.0]]}},"response":{"data":{"ndarray":[[1.0,2.0]]}},"reward":1.0,"truth":{"data":{"ndarray":[[1.0]]}}}'],
  ['{"jsonData":{"\\u00e9t\\u00e9":"caf\\u00e9 \\ud83d\\ude00","z":[1,2.5,3.0,-0.0,1e-7,1E+30],"a":{"\\u007f":"\\u0000\\u001f/\\\\\\""}}}', '{"jsonData":{"a":{"\\u007f":"\\u0000\\u001f/\\\\\\""},"z":[1,2.5,3.0,-0.0,1e-07,1e+30],"\\u00e9t\\u00e9":"caf\\u00e9 \\ud83d\\ude00"}}'],
  ['{"\\uffff":1,"\\ud800\\udc00":2,"\\ue000":3,"a":4}', '{"a":4,"\\ue000":3,"\\uffff":1,"\\ud800\\udc00":2}'],
  ['[1e16, 9999999999999998.0, 0.0001, 0.00001, 123456789012345678901234567890, -9007199254740993, 9007199254740991]', '[1e+16,9999999999999998.0,0.0001,1e-05,123456789012345678901234567890,-9007199254740993,9007199254740991]'],
]

/** Malformed texts and CPython's JSONDecodeError text for them. */
const decoderErrors: Array<[string, string]> = [
  ['[1,]', 'Expecting value: line 1 column 4 (char 3)'],
  ['{"a":1,}', 'Expecting property name enclosed in double quotes: line 1 column 8 (char 7)'],
  ['"ab\\x"', 'Invalid \\escape: line 1 column 4 (char 3)'],
  ['"ab\\u12x4"', 'Invalid \\uXXXX escape: line 1 column 5 (char 4)'],
  ['"ab\ncd"', 'Invalid control character at: line 1 column 4 (char 3)'],
  ['"abc', 'Unterminated string starting at: line 1 column 1 (char 0)'],
  ['[1 2]', "Expecting ',' delimiter: line 1 column 4 (char 3)"],
  ['{"a" 1}', "Expecting ':' delimiter: line 1 column 6 (char 5)"],
  ['01', 'Extra data: line 1 column 2 (char 1)'],
  ['-', 'Expecting value: line 1 column 1 (char 0)'],
  ['\ufeff1', 'Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)'],
  ['"ab\\u12"', 'Invalid \\uXXXX escape: line 1 column 5 (char 4)'],
  ['"\ud83d\ude00" x', 'Extra data: line 1 column 5 (char 4)'],
  ['[', 'Expecting value: line 1 column 2 (char 1)'],
  ['{', 'Expecting property name enclosed in double quotes: line 1 column 2 (char 1)'],
  ['{"a":', 'Expecting value: line 1 column 6 (char 5)'],
  ['tru', 'Expecting value: line 1 column 1 (char 0)'],
  ['-NaN', 'Expecting value: line 1 column 1 (char 0)'],
  ['[1.]', "Expecting ',' delimiter: line 1 column 3 (char 2)"],
  ['1e', 'Extra data: line 1 column 2 (char 1)'],
  ['1.5e+', 'Extra data: line 1 column 4 (char 3)'],
  ['[1,2', "Expecting ',' delimiter: line 1 column 5 (char 4)"],
  [' ', 'Expecting value: line 1 column 2 (char 1)'],
  ['', 'Expecting value: line 1 column 1 (char 0)'],
  ['[-]', 'Expecting value: line 1 column 2 (char 1)'],
  ['{"a"}', "Expecting ':' delimiter: line 1 column 5 (char 4)"],
  ['nan', 'Expecting value: line 1 column 1 (char 0)'],
  ['[01]', "Expecting ',' delimiter: line 1 column 3 (char 2)"],
  ['1\n2', 'Extra data: line 2 column 1 (char 2)'],
  ['[1,\n  x]', 'Expecting value: line 2 column 3 (char 6)'],
  ['{1:2}', 'Expecting property name enclosed in double quotes: line 1 column 2 (char 1)'],
  ['[1]]', 'Extra data: line 1 column 4 (char 3)'],
  ['"\\', 'Unterminated string starting at: line 1 column 1 (char 0)'],
  ['"abc\\', 'Unterminated string starting at: line 1 column 1 (char 0)'],
  ['Infinit', 'Expecting value: line 1 column 1 (char 0)'],
  ['-Infinityx', 'Extra data: line 1 column 10 (char 9)'],
  ['NaNa', 'Extra data: line 1 column 4 (char 3)'],
  ['[1,2,]', 'Expecting value: line 1 column 6 (char 5)'],
  ['{"a":1 "b":2}', "Expecting ',' delimiter: line 1 column 8 (char 7)"],
  ['[true false]', "Expecting ',' delimiter: line 1 column 7 (char 6)"],
  ['nul', 'Expecting value: line 1 column 1 (char 0)'],
  ['falsy', 'Expecting value: line 1 column 1 (char 0)'],
  ['[1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,]', 'Expecting value: line 1 column 82 (char 81)'],
  ['[1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,x]', 'Expecting value: line 1 column 82 (char 81)'],
  ['[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1 2]', "Expecting ',' delimiter: line 1 column 42 (char 41)"],
  ['[1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.]', "Expecting ',' delimiter: line 1 column 83 (char 82)"],
  ['[2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,01]', "Expecting ',' delimiter: line 1 column 43 (char 42)"],
  ['[2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,3,3,3,3,3,1e]', "Expecting ',' delimiter: line 1 column 85 (char 84)"],
  ['["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"]', 'Invalid control character at: line 1 column 103 (char 102)'],
  ['["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\q"]', 'Invalid \\escape: line 1 column 103 (char 102)'],
  ['["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'Unterminated string starting at: line 1 column 2 (char 1)'],
  ['{"k":"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\\u00e9\\uZZZZ"}', 'Invalid \\uXXXX escape: line 1 column 84 (char 83)'],
  ['[\n  1,\n  2,\n  "x\ty"\n]', 'Invalid control character at: line 4 column 5 (char 16)'],
  ['\ud83d\ude00', 'Expecting value: line 1 column 1 (char 0)'],
]

/** Doubles and CPython's repr() of them (what json.dumps writes for a float). */
const floatReprs: Array<[number, string]> = [
  [1, '1.0'],
  [0.5, '0.5'],
  [1e-7, '1e-07'],
  [1e-5, '1e-05'],
  [0.0001, '0.0001'],
  [1e16, '1e+16'],
  [1.5e16, '1.5e+16'],
  [123456789012345.6, '123456789012345.6'],
  [-0, '-0.0'],
  [0, '0.0'],
  [5e-324, '5e-324'],
  [1.7976931348623157e308, '1.7976931348623157e+308'],
  [0.1 + 0.2, '0.30000000000000004'],
  [9999999999999998, '9999999999999998.0'],
  [100, '100.0'],
  [1e22, '1e+22'],
  [1e21, '1e+21'],
  [0.00009999, '9.999e-05'],
  [-1.5e-7, '-1.5e-07'],
  [1e100, '1e+100'],
  [2 ** 53, '9007199254740992.0'],
  [1.2345e20, '1.2345e+20'],
  [Math.PI, '3.141592653589793'],
  [Math.fround(0.1), '0.10000000149011612'],
  [-123.456, '-123.456'],
  [2.5e-5, '2.5e-05'],
  [1 / 3, '0.3333333333333333'],
  [2 ** -1074, '5e-324'],
  [2 ** 1023, '8.98846567431158e+307'],
  // eslint-disable-next-line @typescript-eslint/no-loss-of-precision -- the literal rounds, as Python's float() does
  [12345678901234567890, '1.2345678901234567e+19'],
  [0.1, '0.1'],
]

/** JSON texts and CPython's repr() of json.loads(text), as in `Invalid request data type: ...`. */
const pythonReprs: Array<[string, string]> = [
  ['{"data":{"ndarray":[[1.0,2.0,3.0,4.0]]}}', "{'data': {'ndarray': [[1.0, 2.0, 3.0, 4.0]]}}"],
  ['{}', '{}'],
  ['{"wrong":[{"data":{"ndarray":[1]}}]}', "{'wrong': [{'data': {'ndarray': [1]}}]}"],
  ['{"b":1,"a":[1.0,2,0.5,true,false,null],"1":"x","c":{"__proto__":{"x":1}},"0":2}', "{'b': 1, 'a': [1.0, 2, 0.5, True, False, None], '1': 'x', 'c': {'__proto__': {'x': 1}}, '0': 2}"],
  ["[\"it's\",\"x\\\"y'\",\"\\u00a0\\u200b\\udb40\\udc01\\u007f\",\"\\t\\n\\r\\u0000\",\"\\u00e9\\ud83d\\ude00\",\"\\ud800\",\"a\\\\b\"]", "[\"it's\", 'x\"y\\'', '\\xa0\\u200b\\U000e0001\\x7f', '\\t\\n\\r\\x00', '\u00e9\ud83d\ude00', '\\ud800', 'a\\\\b']"],
  ['[NaN,Infinity,-Infinity,-0.0,1e16,12345678901234567890,1E2,-0,2e-7]', '[nan, inf, -inf, -0.0, 1e+16, 12345678901234567890, 100.0, 0, 2e-07]'],
  ['1.0', '1.0'],
  ['"str"', "'str'"],
  ['null', 'None'],
  ['[[],{},[[1]]]', '[[], {}, [[1]]]'],
  ['{"k":{"2":1,"10":2,"x":3}}', "{'k': {'2': 1, '10': 2, 'x': 3}}"],
]

t.test('transcript response bodies round-trip byte for byte', async (t) => {
  t.ok(transcriptBodies.length >= 40)
  for (const body of transcriptBodies) t.equal(stringifyJson(parseJson(body)), body)
})

t.test('request texts come out as CPython writes them', async (t) => {
  for (const [text, expected] of pythonDumps) {
    t.equal(stringifyJson(parseJson(text)), expected, text)
    t.equal(stringifyJson(parseJson(Buffer.from(text))), expected, 'from bytes: ' + text)
  }
})

t.test('malformed JSON fails with CPython\'s decoder message', async (t) => {
  for (const [text, message] of decoderErrors) {
    let caught: unknown
    try { parseJson(text) } catch (err) { caught = err }
    t.ok(caught instanceof SeldonError, `throws a SeldonError: ${JSON.stringify(text)}`)
    t.ok(isJsonSyntaxError(caught))
    const err = caught as SeldonError & { decoderMessage: string }
    t.equal(err.statusCode, 400)
    t.equal(err.reason, 'MICROSERVICE_BAD_DATA')
    t.equal(err.decoderMessage, message, JSON.stringify(text))
    t.equal(err.message, `Invalid JSON: ${message}`)
  }
})

t.test('formatFloat is CPython\'s float repr', async (t) => {
  for (const [n, repr] of floatReprs) t.equal(formatFloat(n), repr, repr)
  t.equal(formatFloat(NaN), 'NaN')
  t.equal(formatFloat(Infinity), 'Infinity')
  t.equal(formatFloat(-Infinity), '-Infinity')
})

t.test('pyRepr is CPython\'s repr of the parsed value', async (t) => {
  for (const [text, repr] of pythonReprs) t.equal(pyRepr(parseJson(text)), repr, text)
})
