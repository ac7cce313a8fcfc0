// Lints every published package as npm would ship it: publint --strict, then
// "are the types wrong" on the packed tarball. Run after `npm run build`.
import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'

const run = (bin, args) => execFileSync(process.execPath, [`node_modules/${bin}`, ...args], { stdio: 'inherit' })

for (const name of readdirSync('packages')) {
  const dir = `packages/${name}`
  console.log(`\n== ${dir}`)
  run('publint/src/cli.js', ['--strict', dir])
  run('@arethetypeswrong/cli/dist/index.js', ['--pack', dir])
}
