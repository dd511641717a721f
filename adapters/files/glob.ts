import { ERR_CONFIG_INVALID } from '../../src/errors.js'

/**
 * A glob as a RegExp over `/`-separated relative paths: `**` any number of folders, `*` and `?` within one
 * folder, `{a,b}` alternatives (not nested). Dot files match like any other.
 */
export function globToRegExp (glob: string): RegExp {
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
  if (inBraces) throw new ERR_CONFIG_INVALID('glob', `'${glob}' has an unclosed {`)
  return new RegExp(`^${source}$`)
}
