import type { Output } from '../output.js'
import type { ProbeReport } from './probe-run.js'

/** Prints the probe report: one line per call with its timing, the findings under it, and a summary. */
export function printProbeReport (out: Output, report: ProbeReport): void {
  out.line(`Probing ${report.baseUrl} as the portal would`)
  out.line()
  const width = Math.max(...report.steps.map((step) => step.name.length), 10)
  for (const step of report.steps) {
    const failed = step.violations.some((violation) => violation.severity === 'error')
    const warned = step.violations.length > 0
    const mark = failed ? out.paint('red', '✖') : warned ? out.paint('yellow', '!') : out.paint('green', '✔')
    const status = step.status === 0 ? '---' : String(step.status)
    out.line(`${mark} ${step.name.padEnd(width)}  ${status}  ${`${step.ms} ms`.padStart(8)}  ${step.summary}`)
    for (const violation of step.violations) {
      const label = violation.severity === 'error' ? out.paint('red', 'error') : out.paint('yellow', 'warning')
      out.line(`    ${label}: ${violation.message}`)
    }
  }
  out.line()
  const total = report.steps.reduce((sum, step) => sum + step.ms, 0)
  const summary = `${report.steps.length} calls in ${total} ms: ${report.errors} errors, ${report.warnings} warnings`
  out.line(report.ok ? out.paint('green', `PASS  ${summary}`) : out.paint('red', `FAIL  ${summary}: the portal would reject this connector`))
}
