import { ERR_CONFIG_INVALID } from '../core/errors.js'

/** How `globToRegExp` reads a pattern. */
export interface GlobOptions {
  /** Letters match in either case (database names). Default false (file paths). */
  ignoreCase?: boolean
  /** The option named in the error of a malformed pattern. Default `'glob'`. */
  option?: string
}

/**
 * The one glob dialect, for file paths (the files adapter's `glob`) and names (the SQL adapters' `exposure`
 * lists): `*` any run of characters but `/`, `?` one character but `/`, `**` any number of folders,
 * `{a,b}` alternatives (not nested); everything else stands for itself, dots included (dot files match like
 * any other). An unclosed `{` throws `B24BI_ERR_CONFIG_INVALID` naming the option.
 *
 * @example
 * globToRegExp('exports/**\/*.{csv,parquet}').test('exports/2025/05/deals.csv') // true
 * globToRegExp('sales.*', { ignoreCase: true }).test('Sales.Orders') // true
 */
export function globToRegExp (glob: string, options: GlobOptions = {}): RegExp {
  let source = ''
  let inBraces = false
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index]!
    if (char === '*' && glob[index + 1] === '*') {
      const slash = glob[index + 2] === '/'
      source += slash ? '(?:.*/)?' : '.*'
      index += slash ? 2 : 1
      continue
    }
    switch (char) {
      case '*': source += '[^/]*'; break
      case '?': source += '[^/]'; break
      case '{': source += inBraces ? '\\{' : '(?:'; inBraces = true; break
      case '}': source += inBraces ? ')' : '\\}'; inBraces = false; break
      case ',': source += inBraces ? '|' : ','; break
      default: source += char.replace(/[\\^$.+()[\]|]/g, '\\$&')
    }
  }
  if (inBraces) throw new ERR_CONFIG_INVALID(options.option ?? 'glob', `'${glob}' has an unclosed {`)
  return new RegExp(`^${source}$`, options.ignoreCase === true ? 'i' : '')
}
