// Removes node_modules/.bin/node after `npm install`. The `node` and `node24` devDependencies
// are there so the tests can run on Node 22 and 24 (scripts/test-runtimes.mjs starts them by
// path), but the `node` package also links itself as node_modules/.bin/node, which npm puts
// first on the PATH of every script: `npm test`, `npm start` and `npm run bench` would then
// quietly run on that Node instead of the machine's. Run from the repository root.
import { lstatSync, readlinkSync, rmSync } from 'node:fs'

const links =
  process.platform === 'win32'
    ? ['node_modules/.bin/node.cmd', 'node_modules/.bin/node.ps1', 'node_modules/.bin/node']
    : ['node_modules/.bin/node']

for (const link of links) {
  let target
  try {
    const stat = lstatSync(link)
    target = stat.isSymbolicLink() ? readlinkSync(link) : '(a shim)'
  } catch {
    continue // not there: nothing shadows the machine's node
  }
  rmSync(link, { force: true })
  console.log(`removed ${link} -> ${target}, so npm scripts keep the machine's node`)
}
