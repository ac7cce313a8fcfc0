// `npx vite examples/vue` (dev server), `npx vite build examples/vue` (into dist/, served by
// the demo server at /vue/). @lifeline/vue and @lifeline/core resolve as a user's would: through
// node_modules to the packages' built dist/, so run `npm run build` first. The rest of the config
// (the demo-server proxy, the base, that check) is examples/shared/viteConfig.ts, shared with React.
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'
import { demoApp } from '../shared/viteConfig.js'

export default defineConfig(demoApp('vue', vue))
