#!/usr/bin/env node
// servers/ours-grpc.mjs with HTTP/2's own 64 KiB receive window (`receiveWindow: 65535`) instead of
// seldonGrpc's default 1 MiB. `node bench/grpc-window.mjs` compares it with servers/ours-grpc-window.mjs
// (16 MiB): the gap is what HTTP/2 flow control costs large gRPC requests.
process.env.BENCH_GRPC_RECEIVE_WINDOW = '65535'
await import('./ours-grpc.mjs')
