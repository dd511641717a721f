import type { KitContext } from './kit-context.js'
import { WRONG_VALUE_CANARY } from './protocol-checks.js'

const MIN_CANARY_LENGTH = 6

/**
 * The canaries: the wrong value the kit sent in the settings, the values of the settings the adapter declares
 * `secret`, and the author's extra secrets. None may appear in any answer or captured log line.
 */
function canaries (kit: KitContext): string[] {
  const secret = kit.observed.settings.filter((setting) => setting.secret === true).map((setting) => kit.options.connection[setting.code])
  return [WRONG_VALUE_CANARY, ...secret, ...(kit.options.secrets ?? [])]
    .filter((value): value is string => typeof value === 'string' && value.length >= MIN_CANARY_LENGTH)
}

/** Scans every answer and log line the kit's servers produced for the canaries (run last). */
export function checkSecrets (kit: KitContext): void {
  const values = canaries(kit)
  for (const value of values) {
    const shown = `${value.slice(0, 3)}…`
    const answer = kit.record.answers.find((text) => text.includes(value))
    kit.report('secrets', answer === undefined,
      `leaks the canary secret: the setting value ${shown} must not appear in any of ${kit.record.answers.length} answers` +
      (answer === undefined ? '' : ` (found in: ${answer.replaceAll(value, '<CANARY>').slice(0, 200)})`))
    const line = kit.record.logs.find((text) => text.includes(value))
    kit.report('secrets', line === undefined,
      `leaks the canary secret: the setting value ${shown} must not appear in any of ${kit.record.logs.length} log lines` +
      (line === undefined ? '' : ` (found in: ${line.replaceAll(value, '<CANARY>').slice(0, 300)})`))
  }
  const short = kit.observed.settings.filter((setting) => setting.secret === true && (kit.options.connection[setting.code] ?? '').length < MIN_CANARY_LENGTH)
  for (const setting of short) kit.report('secrets', false, `the sample value of the secret setting '${setting.code}' is shorter than ${MIN_CANARY_LENGTH} characters: too short to scan for; use a longer one`)
}
