/**
 * Polls `probe` every 100 ms until it is true or `ms` passed; returns the last answer. The one wait loop of the
 * tests: assert on what it returns (`t.ok(await eventually(...), 'why')`), never on how long it took.
 * @example t.ok(await eventually(async () => adapter.poolCount === 0), 'the idle pool is closed')
 */
export async function eventually (probe: () => Promise<boolean>, ms = 15_000): Promise<boolean> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (await probe()) return true
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return await probe()
}
