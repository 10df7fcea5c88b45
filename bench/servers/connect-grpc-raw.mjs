#!/usr/bin/env node
// servers/connect-grpc.mjs without protobuf-es decode/encode (the bytes pass through as unknown
// fields): the floor of Connect itself, to set beside the bare grpc-js echo. 64 KiB window.
process.env.BENCH_CONNECT_RAW = '1'
await import('./connect-grpc.mjs')
