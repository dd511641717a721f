/**
 * Iterates `source` until it ends or `signal` aborts; an abort rejects the pending step at once with the
 * signal's reason, even when the source itself would never settle (a driver stream whose socket was destroyed).
 * The source is returned (`return()`) in every case, without waiting for a step that may hang.
 */
export async function * abortable<T> (source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]()
  let onAbort: (() => void) | undefined
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal.reason)
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
  })
  aborted.catch(() => {})
  try {
    while (true) {
      const step = await Promise.race([iterator.next(), aborted])
      if (step.done === true) return
      yield step.value
    }
  } finally {
    signal.removeEventListener('abort', onAbort!)
    void Promise.resolve(iterator.return?.()).catch(() => {})
  }
}
