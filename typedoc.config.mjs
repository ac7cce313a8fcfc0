// The docs site (`npm run docs` -> docs/api): a landing page, the guides in the order a newcomer
// reads them, and the API reference of every package. Warnings fail the build, and every public
// member must be documented.
import { existsSync, readdirSync, readFileSync } from 'node:fs'

/** The guides in docs/, in reading order: first steps, the core, frameworks, servers, the rest. */
const guides = [
  'getting-started',
  'reconnection',
  'heartbeats',
  'queue',
  'requests',
  'channels',
  'presence',
  'auth',
  'tabs',
  'fallback',
  'errors',
  'close-codes',
  'codecs',
  'react',
  'vue',
  'node-and-ssr',
  'cdn',
  'server',
  'protocol',
  'testing',
  'browsers',
  'migrating',
  'benchmarks',
]
const landing = 'index'
const unlisted = readdirSync('docs')
  .filter((file) => file.endsWith('.md'))
  .map((file) => file.slice(0, -3))
  .filter((name) => name !== landing && !guides.includes(name))
if (unlisted.length) {
  throw new Error(`typedoc.config.mjs: add ${unlisted.map((n) => `docs/${n}.md`).join(', ')} to the guide order`)
}

const read = (path) => JSON.parse(readFileSync(path, 'utf8'))

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  $schema: 'https://typedoc.org/schema.json',
  name: 'Lifeline',
  entryPointStrategy: 'packages',
  entryPoints: ['packages/core', 'packages/react', 'packages/vue', 'packages/server', 'packages/testing'],
  packageOptions: {
    entryPoints: ['src/index.ts'],
    tsconfig: 'tsconfig.json',
    excludePrivate: true,
    excludeInternal: true,
    disableSources: true,
    validation: { notDocumented: true, notExported: true, invalidLink: true },
  },
  plugin: ['./scripts/typedoc-plugin.mjs'],
  out: 'docs/api',
  readme: `docs/${landing}.md`,
  projectDocuments: guides.filter((name) => existsSync(`docs/${name}.md`)).map((name) => `docs/${name}.md`),
  // Keeps the order above (and the packages' order) instead of sorting by title; guides before the API.
  sort: ['documents-first', 'kind', 'instance-first', 'alphabetical-ignoring-documents'],
  sortEntryPoints: true,
  // The landing page and each guide open with their own title; the site name is in the header.
  headings: { readme: false, document: false },
  // One flat list of packages rather than a folder named "@lifeline".
  navigation: { includeFolders: false },
  // Canonical links and a sitemap for the published site: its URL is the root package.json's homepage.
  hostedBaseUrl: read('package.json').homepage,
  favicon: 'docs/favicon.svg',
  customCss: 'docs/site.css',
  navigationLinks: { npm: 'https://www.npmjs.com/package/@lifeline/core' },
  treatWarningsAsErrors: true,
  validation: { notExported: true, invalidLink: true, notDocumented: true },
  excludePrivate: true,
  excludeInternal: true,
  includeVersion: true,
  disableSources: true,
  highlightLanguages: [
    'bash',
    'css',
    'html',
    'javascript',
    'json',
    'jsx',
    'sh',
    'shell',
    'ts',
    'tsx',
    'typescript',
    'vue',
    'yaml',
    'text',
  ],
  markdownItLoader(parser) {
    // typedoc names a heading's anchor after its text without its code spans, so `## \`'sent'\` is
    // not "delivered"` would be #is-not-delivered here and #sent-is-not-delivered on GitHub. Giving
    // each code span its text as children makes both agree (and the page outline show the code);
    // code spans still render from their content.
    parser.core.ruler.push('heading-code-text', (state) => {
      state.tokens.forEach((token, i) => {
        if (token.type !== 'heading_open') return
        for (const child of state.tokens[i + 1]?.children ?? []) {
          if (child.type === 'code_inline' && !child.children) {
            child.children = [new state.Token('text', '', 0)]
            child.children[0].content = child.content
          }
        }
      })
    })
  },
}
