// Checks that the guides show the checked samples: every `// #region` of docs/snippets/<guide>.ts
// (and <guide>.<part>.ts or .tsx, and the .ts and .tsx files under docs/snippets/<guide>/) appears,
// dedented, as a ```ts, ```tsx or ```js block of docs/<guide>.md, and every such block is a
// region. For a guide with a docs/snippets/<guide>/ folder, every ```vue block is one .vue file
// there and every .vue file there is a ```vue block. The samples of a package's README (what npm
// shows) are docs/snippets/readme-<package>.ts, .tsx or folder, for packages/<package>/README.md.
// Run from the repository root:
// node docs/snippets/check-sync.mjs
import { readdirSync, readFileSync } from 'node:fs'

function regions(source, found) {
  let name = null
  let lines = []
  for (const line of source.split('\n')) {
    const start = line.match(/^\s*\/\/ #region (\S+)/)
    if (start) {
      name = start[1]
      lines = []
    } else if (/^\s*\/\/ #endregion/.test(line)) {
      const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.match(/^ */)[0].length))
      found.set(
        name,
        lines
          .map((l) => l.slice(indent))
          .join('\n')
          .trimEnd(),
      )
      name = null
    } else if (name) {
      lines.push(line)
    }
  }
  return found
}

const guides = new Map()
for (const file of readdirSync('docs/snippets').filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts'))) {
  const guide = file.split('.')[0]
  guides.set(guide, regions(readFileSync(`docs/snippets/${file}`, 'utf8'), guides.get(guide) ?? new Map()))
}
// A guide's folder holds samples that are whole files, at the paths the guide gives them.
const folders = new Map()
for (const entry of readdirSync('docs/snippets', { withFileTypes: true }).filter((e) => e.isDirectory())) {
  const guide = entry.name
  const files = readdirSync(`docs/snippets/${guide}`, { recursive: true }).map((f) => `docs/snippets/${guide}/${f}`)
  for (const file of files.filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts'))) {
    guides.set(guide, regions(readFileSync(file, 'utf8'), guides.get(guide) ?? new Map()))
  }
  folders.set(guide, new Map(files.filter((f) => f.endsWith('.vue')).map((f) => [f, readFileSync(f, 'utf8').trim()])))
  if (!guides.has(guide)) guides.set(guide, new Map())
}

/** The markdown file whose samples docs/snippets/<guide>… holds. */
const page = (guide) => (guide.startsWith('readme-') ? `packages/${guide.slice(7)}/README.md` : `docs/${guide}.md`)

let failures = 0
for (const [guide, samples] of guides) {
  const markdown = readFileSync(page(guide), 'utf8')
  const blocks = [...markdown.matchAll(/^```(?:ts|tsx|js)\n([\s\S]*?)\n```$/gm)].map((match) => match[1])
  for (const [name, code] of samples) {
    if (!blocks.includes(code)) {
      console.error(`${page(guide)}: the snippet region "${name}" is missing or differs`)
      failures++
    }
  }
  const known = new Set(samples.values())
  for (const block of blocks.filter((b) => !known.has(b))) {
    console.error(`${page(guide)}: a code block is no snippet region:\n${block.slice(0, 200)}`)
    failures++
  }
}
for (const [guide, components] of folders) {
  const markdown = readFileSync(page(guide), 'utf8')
  const blocks = [...markdown.matchAll(/^```vue\n([\s\S]*?)\n```$/gm)].map((match) => match[1].trim())
  for (const [file, code] of components) {
    if (!blocks.includes(code)) {
      console.error(`${page(guide)}: the component ${file} is missing or differs`)
      failures++
    }
  }
  const known = new Set(components.values())
  for (const block of blocks.filter((b) => !known.has(b))) {
    console.error(`${page(guide)}: a vue block is no file of docs/snippets/${guide}/:\n${block.slice(0, 200)}`)
    failures++
  }
}
if (failures) process.exit(1)
console.log('docs and snippets agree')
