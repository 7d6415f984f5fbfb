/** Compiles src/ to dist/ once before the tests that run the compiled server or `bin/qorgau.js`. */
export default async function setup(): Promise<void> {
  // @ts-expect-error: a plain JavaScript module without types
  const { ensureBuilt } = await import('../../scripts/build-if-stale.mjs');
  await ensureBuilt();
}
