import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8')

/** The `// #region name` blocks of the samples, dedented, importing the package by its name. */
function regions(source: string): Map<string, string> {
  const found = new Map<string, string>()
  for (const [, name, body] of source.matchAll(/^\s*\/\/ #region (\S+)\n([\s\S]*?)^\s*\/\/ #endregion$/gm)) {
    const lines = (body ?? '').replace(/^\n+|\s+$/g, '').split('\n')
    const indent = Math.min(...lines.filter((line) => line.trim()).map((line) => line.search(/\S/)))
    const code = lines.map((line) => line.slice(indent)).join('\n')
    found.set(name ?? '', code.replaceAll("from '../index.js'", "from '@lifeline/react'"))
  }
  return found
}

const samples = regions(read('./guide.samples.tsx'))
const blocks = [...read('../../../../docs/react.md').matchAll(/^```tsx?\n([\s\S]*?)\n```$/gm)].map(([, code]) => code)

describe('docs/react.md', () => {
  it('shows every type-checked sample as it is', () => {
    expect(samples.size).toBeGreaterThan(10)
    for (const [name, code] of samples) expect(blocks, `region ${name}`).toContain(code)
  })

  it('shows no code that is not a type-checked sample', () => {
    const known = new Set(samples.values())
    expect(blocks.filter((code) => !known.has(code ?? ''))).toEqual([])
  })
})
