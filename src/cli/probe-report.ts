import type { Output } from './output.js'
import type { ProbeReport } from '../probe/probe-context.js'

/** Prints the probe report: one line per call with its status, time and body transfer time, the findings under it, and a summary. */
export function printProbeReport (out: Output, report: ProbeReport): void {
  out.line(`Probing ${report.baseUrl} as the portal would`)
  out.line()
  const width = Math.max(...report.steps.map((step) => step.name.length), 10)
  for (const step of report.steps) {
    if (step.notRun !== undefined) {
      out.line(`${out.paint('dim', '-')} ${step.name.padEnd(width)}  ---  ${'-'.padStart(8)}  ${out.paint('dim', step.summary)}`)
      continue
    }
    const failed = step.violations.some((violation) => violation.severity === 'error')
    const warned = step.violations.length > 0
    const mark = failed ? out.paint('red', '✖') : warned ? out.paint('yellow', '!') : out.paint('green', '✔')
    const status = step.status === 0 ? '---' : String(step.status)
    const body = step.status === 0 ? '' : out.paint('dim', `  (body ${step.transferMs} ms)`)
    out.line(`${mark} ${step.name.padEnd(width)}  ${status}  ${`${step.ms} ms`.padStart(8)}  ${step.summary}${body}`)
    for (const violation of step.violations) {
      const label = violation.severity === 'error' ? out.paint('red', 'error') : out.paint('yellow', 'warning')
      out.line(`    ${label}: ${violation.message}`)
    }
  }
  out.line()
  const calls = report.steps.filter((step) => step.notRun === undefined)
  const notRun = report.steps.length - calls.length
  const total = calls.reduce((sum, step) => sum + step.ms, 0)
  const summary = `${calls.length} calls in ${total} ms: ${report.errors} errors, ${report.warnings} warnings${notRun > 0 ? `, ${notRun} not run` : ''}`
  out.line(report.ok ? out.paint('green', `PASS  ${summary}`) : out.paint('red', `FAIL  ${summary}: the portal would reject this connector`))
}
