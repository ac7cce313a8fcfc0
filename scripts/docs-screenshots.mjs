// Looks at the docs site as a reader does: serves docs/api (after `npm run docs`) on 127.0.0.1,
// opens pages in headless Chromium and saves a screenshot of each to test-results/docs-site/.
// It fails when a page is missing, logs a console error, or has a link into the site that leads nowhere.
//
//   node scripts/docs-screenshots.mjs                        the landing page, a guide, an API page
//   node scripts/docs-screenshots.mjs documents/React.html   other pages, relative to docs/api
//   DOCS_DIR=/tmp/site node scripts/docs-screenshots.mjs     another build of the site
//   FULL_PAGE=1 node scripts/docs-screenshots.mjs            whole pages, not the first screen
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { extname, join, normalize, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { CHROMIUM_ARGS } from './chromium.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const site = resolve(process.env.DOCS_DIR ?? join(root, 'docs/api'))
const out = join(root, 'test-results/docs-site')
const pages = process.argv.slice(2).length
  ? process.argv.slice(2)
  : ['index.html', 'documents/Getting_started.html', 'functions/_lifeline_core._lifeline_core.connect.html']
const chromiumPath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (path) => path && existsSync(path),
)
if (!existsSync(join(site, 'index.html'))) {
  console.error(`No site in ${site}: run \`npm run docs\` first.`)
  process.exit(1)
}
if (!chromiumPath) {
  console.error('No Chromium: apt-get update && apt-get install -y chromium (or set CHROMIUM_PATH).')
  process.exit(1)
}

const types = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
}
const server = createServer((request, response) => {
  const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname))
  let file = join(site, path)
  if (!file.startsWith(site)) file = site // no way out of the site
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html')
  if (!existsSync(file)) {
    response.writeHead(404).end('not found')
    return
  }
  response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' })
  response.end(readFileSync(file))
})
await new Promise((done) => server.listen(0, '127.0.0.1', done))
const base = `http://127.0.0.1:${server.address().port}/`

const profile = mkdtempSync(join(tmpdir(), 'lifeline-docs-'))
const context = await chromium.launchPersistentContext(profile, {
  executablePath: chromiumPath,
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: [...CHROMIUM_ARGS],
})
const problems = []
try {
  mkdirSync(out, { recursive: true })
  const page = await context.newPage()
  page.on('console', (message) => message.type() === 'error' && problems.push(`console: ${message.text()}`))
  page.on(
    'response',
    (response) => response.status() >= 400 && problems.push(`HTTP ${response.status()}: ${response.url()}`),
  )
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  for (const path of pages) {
    const response = await page.goto(base + path, { waitUntil: 'networkidle' })
    if (!response?.ok()) problems.push(`${path}: HTTP ${response?.status()}`)
    const links = await page.$$eval('a[href]', (anchors) => anchors.map((a) => a.href))
    for (const link of new Set(links.filter((href) => href.startsWith(base)))) {
      const file = join(site, decodeURIComponent(new URL(link).pathname))
      if (!existsSync(file)) problems.push(`${path}: link to a missing page ${link.slice(base.length)}`)
    }
    const name = `${path.replace(/\.html$/, '').replace(/[^\w.-]+/g, '_')}.png`
    await page.screenshot({ path: join(out, name), fullPage: Boolean(process.env.FULL_PAGE) })
    console.log(`${path} -> test-results/docs-site/${name}`)
  }
} finally {
  await context.close()
  rmSync(profile, { recursive: true, force: true })
  server.close()
}
for (const problem of problems) console.error(problem)
process.exit(problems.length ? 1 : 0)
