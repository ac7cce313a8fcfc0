// The flags every headless Chromium of this repository runs with (browser tests, the tabs bench,
// the docs screenshots). Without the background-networking ones it floods a closed network with
// refused connections; QUIC and the GPU are off for a headless, sandboxless container.
export const CHROMIUM_ARGS = Object.freeze([
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
])
