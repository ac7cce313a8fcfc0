// After the build: computes the Subresource Integrity hash of every CDN bundle, writes
// dist/sri.json beside it, and refreshes the marked CDN snippets in the docs so the
// published `integrity` attributes always match the files.
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'

const bundles = []
for (const name of readdirSync('packages')) {
  const pkg = JSON.parse(readFileSync(`packages/${name}/package.json`, 'utf8'))
  const file = pkg.unpkg?.replace(/^\.\//, '')
  if (!file || !existsSync(`packages/${name}/${file}`)) continue
  const integrity = `sha384-${createHash('sha384')
    .update(readFileSync(`packages/${name}/${file}`))
    .digest('base64')}`
  writeFileSync(`packages/${name}/dist/sri.json`, `${JSON.stringify({ [file]: integrity }, null, 2)}\n`)
  bundles.push({ name: pkg.name, version: pkg.version, file, integrity })
}

const table = [
  '| file | jsdelivr | unpkg | integrity |',
  '| --- | --- | --- | --- |',
  ...bundles.map(({ name, version, file, integrity }) => {
    const path = `${name}@${version}/${file}`
    return `| \`${name}\` | https://cdn.jsdelivr.net/npm/${path} | https://unpkg.com/${path} | \`${integrity}\` |`
  }),
].join('\n')

const core = bundles.find((b) => b.name === '@lifeline/core')
const tag = core
  ? [
      '```html',
      `<script src="https://cdn.jsdelivr.net/npm/${core.name}@${core.version}/${core.file}"`,
      `        integrity="${core.integrity}" crossorigin="anonymous"></script>`,
      '```',
    ].join('\n')
  : ''

// Each block sits between <!-- name:start --> and <!-- name:end --> markers.
const blocks = { 'cdn-table': table, 'cdn-tag': tag }
for (const doc of ['README.md', ...readdirSync('docs').map((f) => `docs/${f}`)]) {
  if (!doc.endsWith('.md')) continue
  const text = readFileSync(doc, 'utf8')
  const next = text.replace(/<!-- ([\w-]+):start -->[\s\S]*?<!-- \1:end -->/g, (block, key) =>
    key in blocks ? `<!-- ${key}:start -->\n${blocks[key]}\n<!-- ${key}:end -->` : block,
  )
  if (next !== text) writeFileSync(doc, next)
}
for (const { file, integrity } of bundles) console.log(`${file}  ${integrity}`)
