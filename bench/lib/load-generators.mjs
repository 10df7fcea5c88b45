// The load generators (http-load.mjs: autocannon; grpc-load.mjs: grpc-js) in child processes of
// their own, with V8's --initial-old-space-size=128 (MB) added to this process's flags. With V8's
// default the old generation's limit follows a small live heap, and the gRPC load generator,
// receiving an 800 kB answer per call, ran a mark-compact every ~6 calls (430 in 8 s of
// sequential 100k tensors): its pauses were most of the p90 measured for our server (7.4 against
// 3.0 ms with the flag) and ~4 ms of the wrapper's (BENCHMARKS.md, "Issue 18, item 3: the load
// generator's garbage collector"). The servers' CLI workers get the same flag (primary.ts).
import { fork } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))

export const LOAD_GENERATOR_FLAGS = ['--initial-old-space-size=128']

/** A load generator child (`kind` 'grpc' or 'http'), talking over IPC; stderr/stdout inherited. */
export function forkLoadGenerator (kind) {
  const script = path.join(here, kind === 'grpc' ? 'grpc-load.mjs' : 'http-load.mjs')
  return fork(script, [], { execArgv: [...process.execArgv, ...LOAD_GENERATOR_FLAGS], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
}
