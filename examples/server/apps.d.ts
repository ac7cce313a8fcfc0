// Types for apps.js, for the TypeScript that builds the demos (the browser tests).

/** The framework demos, each in `examples/<app>`, served at `/<app>/`. */
export const APPS: readonly ['react', 'vue']

export type App = (typeof APPS)[number]

/** Whether `app`'s dist/ was built from its current inputs. */
export function isBuilt(app: App): boolean

/**
 * Builds the apps whose dist/ is missing or was built from other inputs, for production; resolves
 * to the apps built now and how long it took. Needs the packages built first (`npm run build`).
 */
export function buildApps(options?: { apps?: readonly App[] }): Promise<{ built: App[]; ms: number }>
