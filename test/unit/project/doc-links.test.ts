import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import t from 'tap'

// Every relative link of the README, CONTRIBUTING.md, docs/ and the example's README reaches a file, and every
// #anchor a heading of it (as GitHub names headings).

const root = resolve(import.meta.dirname, '../../..')
const DOCS = ['README.md', 'CONTRIBUTING.md', 'examples/custom-adapter/README.md',
  ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)]

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchor (heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')
}

function anchorsOf (file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '')
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchor(match[1]!)))
}

t.test('the anchor of a heading is the one GitHub gives it', async (t) => {
  t.equal(anchor('Serving it with `b24bi serve`'), 'serving-it-with-b24bi-serve')
  t.equal(anchor('`tables sync`: the portal\'s tables without clicking'), 'tables-sync-the-portals-tables-without-clicking')
  t.equal(anchor('The 60-second transfer limit'), 'the-60-second-transfer-limit')
})

for (const doc of DOCS) {
  t.test(`the links of ${doc} reach a file and a heading`, async (t) => {
    const text = readFileSync(join(root, doc), 'utf8').replace(/```[\s\S]*?```/g, '')
    const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!).filter((link) => !/^[a-z]+:/.test(link))
    const broken: string[] = []
    for (const link of links) {
      const [path = '', hash] = link.split('#')
      const target = path === '' ? join(root, doc) : resolve(root, dirname(doc), path)
      if (!existsSync(target)) broken.push(`${link}: no file`)
      else if (hash !== undefined && target.endsWith('.md') && !anchorsOf(target).has(hash)) broken.push(`${link}: no heading`)
    }
    t.same(broken, [])
  })
}
