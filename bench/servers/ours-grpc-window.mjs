#!/usr/bin/env node
// servers/ours-grpc.mjs with seldonGrpc's `receiveWindow` option at 16 MiB (its default is 1 MiB,
// HTTP/2's own 64 KiB: servers/ours-grpc-http2-window.mjs). `node bench/grpc-window.mjs` compares
// the two: the gap is what HTTP/2 flow control costs large gRPC requests.
process.env.BENCH_GRPC_RECEIVE_WINDOW = String(16 * 1024 * 1024)
await import('./ours-grpc.mjs')
