#!/usr/bin/env node
// servers/connect-grpc.mjs with a 16 MiB HTTP/2 receive window (stream and connection), the
// setting grpc-js's server has no option for (issue 18).
process.env.BENCH_CONNECT_WINDOW = String(16 * 1024 * 1024)
await import('./connect-grpc.mjs')
