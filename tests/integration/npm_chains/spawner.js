// SPDX-License-Identifier: Apache-2.0
// The leaking host process from procleak's founding incident, in miniature: it starts the
// fake-mcp-server through `npm exec` every INTERVAL_MS, COUNT times, and never stops an old copy.
//
//   node spawner.js COUNT INTERVAL_MS stay|exit
//
// Run it in a directory whose node_modules/.bin holds fake-mcp-server. Every copy becomes the
// chain `npm exec fake-mcp-server` -> `sh -c 'fake-mcp-server'` -> `node .../fake-mcp-server`.
// It prints "spawned PID" for each npm process and "done" after the last one. With "stay" it
// then lives until killed; with "exit" it exits, leaving its copies to be reparented (orphaned).
// The copies stay in this process's group, so killing the group ends them all.
'use strict';
const {spawn} = require('child_process');

const [count, intervalMs, then] = process.argv.slice(2);
const total = Number(count);
if (!(total > 0) || !(Number(intervalMs) >= 0) || !['stay', 'exit'].includes(then)) {
  process.stderr.write('usage: node spawner.js COUNT INTERVAL_MS stay|exit\n');
  process.exit(2);
}

let started = 0;
function startOne() {
  // stdin/stdout ignored so that nothing ties a copy's life to ours; stderr shared for diagnosis.
  const child = spawn('npm', ['exec', 'fake-mcp-server'], {stdio: ['ignore', 'ignore', 'inherit']});
  child.on('error', (err) => {
    process.stderr.write(`spawner: cannot start npm: ${err.message}\n`);
    process.exit(1);
  });
  if (child.pid === undefined) return;  // the 'error' handler reports it
  process.stdout.write(`spawned ${child.pid}\n`);
  child.unref();
  if (++started < total) {
    setTimeout(startOne, Number(intervalMs));
  } else {
    process.stdout.write('done\n');
    if (then === 'exit') process.exit(0);
    // Until killed; 10 minutes at most, should the test that started it die first.
    setTimeout(() => process.exit(0), 10 * 60 * 1000);
  }
}
startOne();
