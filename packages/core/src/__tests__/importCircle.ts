import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository's root, which the paths in a reported circle are relative to. */
const root = fileURLToPath(new URL('../../../../', import.meta.url))

/** Every .ts file below `dir`, tests left out. */
export function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === '__tests__' ? [] : sources(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

/** The relative imports and re-exports of a file, type-only ones included, as absolute paths. */
export function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const specifiers = [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'/gm)].map((m) => m[1] as string)
  return specifiers.map((specifier) => resolve(dirname(file), specifier.replace(/\.js$/, '.ts')))
}

/**
 * The first import circle found among `files`, as paths from the repository root (the first
 * file repeated at the end), or null when their imports form a DAG. Type-only imports count:
 * a type that two files need belongs in a third, below both.
 */
export function importCircle(files: string[]): string[] | null {
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

/** `dir` (from the repository root) as an absolute path. */
export const fromRoot = (dir: string): string => join(root, dir)
