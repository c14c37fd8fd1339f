// SPDX-License-Identifier: Apache-2.0
// A stand-in for npm's own script: `node .../npm-cli.js exec NAME` runs `sh -c NAME` (NAME found
// in PATH, as npm finds a package's bin) after SCEN_NPM_DELAY_MS (default 0) and waits for it,
// as `npm exec` does. The delay is how long a busy host took npm to get there. procleak names
// this command `npm exec NAME`. Lives 10 minutes at most, should the test die first.
'use strict';
const {spawn} = require('child_process');

const [subcommand, name] = process.argv.slice(2);
if (subcommand !== 'exec' || !name) {
  process.stderr.write('usage: node npm-cli.js exec NAME\n');
  process.exit(2);
}
setTimeout(() => process.exit(0), 10 * 60 * 1000);
setTimeout(() => {
  const child = spawn('sh', ['-c', name], {stdio: ['ignore', 'ignore', 'inherit']});
  child.on('error', (err) => {
    process.stderr.write(`npm-cli.js: cannot start sh: ${err.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code) => process.exit(code === null ? 1 : code));
}, Number(process.env.SCEN_NPM_DELAY_MS || 0));
