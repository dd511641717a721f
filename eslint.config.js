import neostandard from 'neostandard'

// neostandard (standard's style as an ESLint flat config) over all JavaScript and TypeScript of the tree.
export default [
  ...neostandard({
    ts: true,
    ignores: ['dist/**', '.tap/**', 'coverage/**', '**/node_modules/**']
  }),
  {
    rules: {
      // `void promise;` marks a promise deliberately not awaited (a reply header, a background close).
      'no-void': ['error', { allowAsStatement: true }],
      // TypeBox's idiom is a schema and its type under one name (`const X = Type.Object(...)`, `type X = Static<typeof X>`);
      // tsc itself rejects a real redeclaration.
      '@typescript-eslint/no-redeclare': 'off'
    }
  },
  {
    files: ['test/**', 'bench/**'],
    rules: {
      // Load loops run `while (running)` until a timer or another request's callback clears the flag.
      'no-unmodified-loop-condition': 'off'
    }
  }
]
