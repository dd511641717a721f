/** Node's arguments that load the project's TypeScript in a child process, as in the test processes (.taprc). */
export const TYPESCRIPT_LOADER: readonly string[] = [`--import=${new URL('../setup/typescript.mjs', import.meta.url).href}`]
