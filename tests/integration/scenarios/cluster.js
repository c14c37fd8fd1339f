// SPDX-License-Identifier: Apache-2.0
// A node cluster: the primary forks WORKERS workers in one loop (cluster.fork) and keeps them.
//
//   node cluster.js WORKERS
//
// The primary prints "worker PID" per fork. Everyone ends after 10 minutes, should the test die.
'use strict';
const cluster = require('cluster');

setTimeout(() => process.exit(0), 10 * 60 * 1000);
if (cluster.isPrimary) {
  for (let i = 0; i < Number(process.argv[2]); ++i) {
    process.stdout.write(`worker ${cluster.fork().process.pid}\n`);
  }
}
