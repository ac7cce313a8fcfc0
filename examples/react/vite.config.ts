// `npx vite examples/react` (dev server), `npx vite build examples/react` (into dist/, served by
// the demo server at /react/). @lifeline/react and @lifeline/core resolve as a user's would: through
// node_modules to the packages' built dist/, so run `npm run build` first. The rest of the config
// (the demo-server proxy, the base, that check) is examples/shared/viteConfig.ts, shared with Vue.
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'
import { demoApp } from '../shared/viteConfig.js'

export default defineConfig(demoApp('react', react))
