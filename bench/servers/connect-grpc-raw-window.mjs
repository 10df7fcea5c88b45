#!/usr/bin/env node
// servers/connect-grpc-raw.mjs (Connect's own floor) with a 16 MiB HTTP/2 receive window.
process.env.BENCH_CONNECT_RAW = '1'
process.env.BENCH_CONNECT_WINDOW = String(16 * 1024 * 1024)
await import('./connect-grpc.mjs')
