// Removes every package's dist/ so the next build leaves nothing stale in a tarball (a file of an
// entry that no longer exists would otherwise be published). Used by `npm run release`.
import { readdirSync, rmSync } from 'node:fs'

for (const name of readdirSync('packages')) rmSync(`packages/${name}/dist`, { recursive: true, force: true })
