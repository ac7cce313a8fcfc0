// Checks every published package as npm and its users will see it, and reports every problem
// before failing, not only the first. Run after `npm run build` (and `npm run docs`, for the links
// into the docs site):
//
//   node scripts/check-packages.mjs            every package under packages/
//   node scripts/check-packages.mjs --fix      also writes the docs site's URL where it belongs
//   node scripts/check-packages.mjs --release  also what only a release needs (see RELEASING.md)
//
// For each package: publint --strict; attw --pack (every subpath entry, node10 resolution
// included); the one version every package shares (changesets' "fixed" group) and internal
// dependency ranges that accept it; a README whose links work on npm (absolute, and into the docs
// site only to pages the site has); the LICENSE; `homepage`; public access for a scoped package.
//
// The docs site's URL is one constant: `homepage` in the root package.json. Every package's
// `homepage` and README links use it; `--fix` rewrites them after it changes.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const read = (path) => readFileSync(join(root, path), 'utf8')
const json = (path) => JSON.parse(read(path))
const fix = process.argv.includes('--fix')
const release = process.argv.includes('--release')

const site = json('package.json').homepage
if (!site?.endsWith('/')) throw new Error('the root package.json needs "homepage": the docs site URL, ending in /')
const built = existsSync(join(root, 'docs/api/index.html'))
const license = read('LICENSE')

const dirs = readdirSync(join(root, 'packages'))
  .map((name) => `packages/${name}`)
  .filter((dir) => existsSync(join(root, dir, 'package.json')) && !json(`${dir}/package.json`).private)
const manifests = new Map(dirs.map((dir) => [dir, json(`${dir}/package.json`)]))
const names = new Set([...manifests.values()].map((pkg) => pkg.name))
const version = manifests.get('packages/core')?.version

const problems = []
const problem = (dir, text) => problems.push(`${dir}: ${text}`)

/** Runs a tool over a package; its output is shown only when it fails. */
function tool(dir, command, args) {
  const run = spawnSync(join(root, 'node_modules/.bin', command), args, { cwd: root, encoding: 'utf8' })
  if (run.status === 0) return
  process.stdout.write(`${run.stdout}${run.stderr}\n`)
  problem(dir, `${command} ${args.join(' ')} failed`)
}

/** The markdown links and HTML hrefs of a README. */
const linksOf = (markdown) => [
  ...[...markdown.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]),
  ...[...markdown.matchAll(/\bhref="([^"]+)"/g)].map((m) => m[1]),
]

for (const [dir, pkg] of manifests) {
  if (pkg.version !== version)
    problem(dir, `version ${pkg.version}, but @lifeline/core is ${version}: versions move together`)
  for (const field of ['dependencies', 'peerDependencies']) {
    for (const [name, range] of Object.entries(pkg[field] ?? {})) {
      if (names.has(name) && range !== `^${version}`) problem(dir, `${field}.${name} is "${range}", not "^${version}"`)
    }
  }
  if (pkg.name.startsWith('@') && pkg.publishConfig?.access !== 'public') {
    problem(dir, 'a scoped package publishes as restricted unless "publishConfig": { "access": "public" }')
  }
  if (!existsSync(join(root, dir, 'LICENSE')) || read(`${dir}/LICENSE`) !== license) {
    problem(dir, 'LICENSE is missing or differs from the root LICENSE (npm ships only the package folder)')
  }

  const old = pkg.homepage
  if (old !== site) {
    if (fix) {
      writeFileSync(join(root, dir, 'package.json'), `${JSON.stringify({ ...pkg, homepage: site }, null, 2)}\n`)
    } else problem(dir, `homepage is ${old}, not the docs site ${site} (--fix writes it)`)
  }
  if (existsSync(join(root, dir, 'README.md'))) checkReadme(dir, old)
  else problem(dir, 'no README.md: the npm page would be empty')

  tool(dir, 'publint', ['--strict', dir])
  tool(dir, 'attw', ['--pack', dir, '--format', 'table-flipped'])
  console.log(`${pkg.name}@${pkg.version}: checked`)
}
if (!built) console.log('docs/api is not built: links into the docs site were not checked (npm run docs)')

/** A README's links work on npm: absolute, and into the docs site only to pages it has. */
function checkReadme(dir, old) {
  let readme = read(`${dir}/README.md`)
  if (fix && old && old !== site && readme.includes(old)) {
    readme = readme.replaceAll(old, site)
    writeFileSync(join(root, dir, 'README.md'), readme)
  }
  for (const link of linksOf(readme)) {
    if (link.startsWith('#')) continue
    if (!/^(https?:|mailto:)/.test(link)) {
      problem(dir, `README link "${link}" is relative: npm shows the README away from the repository, use a URL`)
    } else if (link.startsWith(site) && built) {
      const page = link.slice(site.length).replace(/#.*$/, '') || 'index.html'
      if (!existsSync(join(root, 'docs/api', page))) problem(dir, `README link "${link}": the docs site has no ${page}`)
    }
  }
  if (!readme.includes(site)) problem(dir, `README does not link to the docs site (${site})`)
}

if (release) {
  // A placeholder domain (.example, RFC 2606) means no site was published yet: READMEs would link nowhere.
  if (new URL(site).hostname.endsWith('.example')) {
    problems.push(`root package.json: homepage ${site} is a placeholder; set the docs site's URL and run --fix`)
  }
  if (!built) problems.push('docs/api: build the docs site (npm run docs) so the README links are checked')
  // The build writes the CDN snippets (version and SRI hash) into README.md and docs/cdn.md.
  const stale = spawnSync('git', ['status', '--porcelain', '--', 'README.md', 'docs'], { cwd: root, encoding: 'utf8' })
  if (stale.stdout.trim()) {
    problems.push(`uncommitted changes, the CDN snippets among them? commit them first:\n${stale.stdout.trimEnd()}`)
  }
}

for (const text of problems) console.error(`✗ ${text}`)
console.log(problems.length ? `${problems.length} problems` : `${manifests.size} packages ready to publish`)
process.exit(problems.length ? 1 : 0)
