// One "first start" of the demo in its own process: prepares the demo data in the cache folder given as argv[2]
// and prints the data folder (test/integration/cli/demo-data.test.ts starts several at once).
import { demoDataDirectory } from '../../../src/cli/demo.js'

process.stdout.write(`${await demoDataDirectory(process.argv[2])}\n`)
