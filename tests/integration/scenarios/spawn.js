// SPDX-License-Identifier: Apache-2.0
// A supervisor that never stops an old copy (the incident's host process, in miniature): it
// starts CMD every INTERVAL_MS, COUNT times. The leak scenarios and npm_chains_test use it.
//
//   SCEN_THEN=stay|exit node spawn.js COUNT INTERVAL_MS CMD [ARG...]
//
// Prints "spawned PID" per copy (the pid as this process's pid namespace sees it) and "done"
// after the last. With SCEN_THEN=exit it then exits, leaving its copies to be reparented; else
// (the default) it stays. The mode is read from the environment so that a restarted instance can
// run the very same command line. Lives 10 minutes at most, should the test die first.
'use strict';
const {spawn} = require('child_process');

const [count, intervalMs, ...command] = process.argv.slice(2);
const total = Number(count);
const then = process.env.SCEN_THEN || 'stay';
if (!(total > 0) || !(Number(intervalMs) >= 0) || command.length === 0 ||
    !['stay', 'exit'].includes(then)) {
  process.stderr.write('usage: SCEN_THEN=stay|exit node spawn.js COUNT INTERVAL_MS CMD [ARG...]\n');
  process.exit(2);
}

let started = 0;
function startOne() {
  const child = spawn(command[0], command.slice(1), {stdio: ['ignore', 'ignore', 'inherit']});
  child.on('error', (err) => {
    process.stderr.write(`spawn.js: cannot start ${command[0]}: ${err.message}\n`);
    process.exit(1);
  });
  if (child.pid === undefined) return;  // the 'error' handler reports it
  process.stdout.write(`spawned ${child.pid}\n`);
  child.unref();
  if (++started < total) {
    setTimeout(startOne, Number(intervalMs));
    return;
  }
  process.stdout.write('done\n');
  if (then === 'exit') process.exit(0);
  setTimeout(() => process.exit(0), 10 * 60 * 1000);
}
startOne();
