// Checks that the guides show the checked samples: every `// #region` of docs/snippets/<guide>.ts
// (and <guide>.<part>.ts) appears, dedented, as a ```ts or ```js block of docs/<guide>.md, and
// every such block is a region. Run from the repository root: node docs/snippets/check-sync.mjs
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
for (const file of readdirSync('docs/snippets').filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))) {
  const guide = file.split('.')[0]
  guides.set(guide, regions(readFileSync(`docs/snippets/${file}`, 'utf8'), guides.get(guide) ?? new Map()))
}

let failures = 0
for (const [guide, samples] of guides) {
  const markdown = readFileSync(`docs/${guide}.md`, 'utf8')
  const blocks = [...markdown.matchAll(/^```(?:ts|js)\n([\s\S]*?)\n```$/gm)].map((match) => match[1])
  for (const [name, code] of samples) {
    if (!blocks.includes(code)) {
      console.error(`docs/${guide}.md: the snippet region "${name}" is missing or differs`)
      failures++
    }
  }
  const known = new Set(samples.values())
  for (const block of blocks.filter((b) => !known.has(b))) {
    console.error(`docs/${guide}.md: a code block is no snippet region:\n${block.slice(0, 200)}`)
    failures++
  }
}
if (failures) process.exit(1)
console.log('docs and snippets agree')
