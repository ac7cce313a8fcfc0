import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fromRoot, importCircle, sources } from './importCircle.js'

describe('imports', () => {
  it('form no circle in @lifeline/core, type-only imports included', () => {
    expect(importCircle(sources(fromRoot('packages/core/src')))).toBeNull()
  })

  it('a circle of type-only imports is found, file by file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeline-imports-'))
    try {
      writeFileSync(join(dir, 'a.ts'), "import type { B } from './b.js'\nexport type A = B[]\n")
      writeFileSync(join(dir, 'b.ts'), "import { type C } from './c.js'\nexport type B = C\n")
      writeFileSync(join(dir, 'c.ts'), "export type { A as C } from './a.js'\n")
      expect(importCircle(sources(dir))?.map((file) => file.split('/').pop())).toEqual(['a.ts', 'b.ts', 'c.ts', 'a.ts'])
    } finally {
      rmSync(dir, { recursive: true })
    }
  })
})
