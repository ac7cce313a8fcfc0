/** The flags every headless Chromium of this repository runs with. */
export declare const CHROMIUM_ARGS: readonly string[]
