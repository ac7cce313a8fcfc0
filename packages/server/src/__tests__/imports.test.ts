import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../../../', import.meta.url))

/** Every .ts file below `dir`, tests left out. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === '__tests__' ? [] : sources(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

/** The relative imports of a file, type-only ones included, as absolute paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const specifiers = [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'/gm)].map((m) => m[1] as string)
  return specifiers.map((specifier) => resolve(dirname(file), specifier.replace(/\.js$/, '.ts')))
}

/** The first import circle found among `files`, as paths from the repository root, or null. */
function circle(files: string[]): string[] | null {
  const graph = new Map(files.map((file) => [file, importsOf(file)]))
  const done = new Set<string>()
  const path: string[] = []
  const visit = (file: string): string[] | null => {
    const at = path.indexOf(file)
    if (at >= 0) return [...path.slice(at), file].map((f) => relative(root, f))
    if (done.has(file) || !graph.has(file)) return null
    path.push(file)
    for (const next of graph.get(file) ?? []) {
      const found = visit(next)
      if (found) return found
    }
    path.pop()
    done.add(file)
    return null
  }
  for (const file of files) {
    const found = visit(file)
    if (found) return found
  }
  return null
}

describe('imports', () => {
  it('form no circle in @lifeline/server, type-only imports included', () => {
    expect(circle(sources(join(root, 'packages/server/src')))).toBeNull()
  })

  it('form no circle in the protocol module, which imports nothing outside itself', () => {
    const files = sources(join(root, 'packages/core/src/protocol'))
    expect(circle(files)).toBeNull()
    for (const file of files) {
      for (const imported of importsOf(file)) expect(dirname(imported)).toBe(dirname(file))
      expect(readFileSync(file, 'utf8')).not.toMatch(/\bBuffer\b|from 'node:/)
    }
  })
})
