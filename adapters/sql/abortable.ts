/**
 * Iterates `source` until it ends or `signal` aborts; an abort rejects the pending step at once with the
 * signal's reason, even when the source itself would never settle (a driver stream whose socket was destroyed).
 * The source is returned (`return()`) in every case, without waiting for a step that may hang.
 * Use it on batches, not rows: each step adds and removes one abort listener.
 */
export async function * abortable<T> (source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]()
  try {
    while (true) {
      const step = await nextOrAbort(iterator, signal)
      if (step.done === true) return
      yield step.value
    }
  } finally {
    void Promise.resolve(iterator.return?.()).catch(() => {})
  }
}

async function nextOrAbort<T> (iterator: AsyncIterator<T>, signal: AbortSignal): Promise<IteratorResult<T>> {
  if (signal.aborted) throw signal.reason
  return await new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    iterator.next().then((step) => {
      signal.removeEventListener('abort', onAbort)
      resolve(step)
    }, (error: unknown) => {
      signal.removeEventListener('abort', onAbort)
      reject(error)
    })
  })
}
