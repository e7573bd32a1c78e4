// Stops `npm start`, `npm test` and the other scripts at once, with one line, on a Node.js older than
// the project's (engines.node in package.json; Lambda runs the same major). Plain CommonJS with no
// syntax newer than Node.js 12, so that it runs on whatever `node` the machine has.
'use strict';
const { engines } = require('../../package.json');
const needed = Number(/(\d+)/.exec(engines.node)[1]);
const current = Number(process.versions.node.split('.')[0]);
if (current < needed) {
  console.error(
    `This project needs Node.js ${needed} or later (${engines.node}); this is Node.js ${process.versions.node}. ` +
      `Install Node.js ${needed} (e.g. \`nvm install\`, which reads .nvmrc) and run the command again.`,
  );
  process.exit(1);
}
