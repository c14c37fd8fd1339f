// SPDX-License-Identifier: Apache-2.0
// An MCP client: it starts each server it uses once, through `npm exec NAME` (npm-cli.js beside
// this file), and keeps it for the session.
//
//   node client.js NAME...
//
// Prints "spawned PID" per server. Ends after 10 minutes, should the test die first.
'use strict';
const path = require('path');
const {spawn} = require('child_process');

for (const name of process.argv.slice(2)) {
  const npm = spawn(process.execPath, [path.join(__dirname, 'npm-cli.js'), 'exec', name],
                    {stdio: ['ignore', 'ignore', 'inherit']});
  npm.on('error', (err) => {
    process.stderr.write(`client.js: cannot start npm: ${err.message}\n`);
    process.exit(1);
  });
  process.stdout.write(`spawned ${npm.pid}\n`);
}
setTimeout(() => process.exit(0), 10 * 60 * 1000);
