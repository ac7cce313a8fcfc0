// `npm run bench:report`: writes docs/benchmarks.md and its charts again from
// bench/results/latest.json, without running anything (after a change to bench/report/).
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { charts } from './report/charts.mjs'
import { markdown } from './report/markdown.mjs'

const path = (relative) => fileURLToPath(new URL(relative, import.meta.url))
const results = JSON.parse(readFileSync(path('results/latest.json'), 'utf8'))
writeFileSync(path('../docs/benchmarks.md'), markdown(results, 'benchmarks-'))
for (const [name, svg] of Object.entries(charts(results))) writeFileSync(path(`../docs/benchmarks-${name}.svg`), svg)
console.log(`docs/benchmarks.md and its charts, from the run of ${results.meta.date}`)
