const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/**
 * True when `year`-`month`-`day` is a day of the proleptic Gregorian calendar, years 1 to 9999 (the range of a
 * `Y-m-d` date): a month 1-12 and a day that month has (29 February only in a leap year). The one calendar check:
 * filter values and answer values are read by it alike.
 *
 * @example
 * isCalendarDate(2024, 2, 29) // true
 * isCalendarDate(2025, 2, 29) // false
 */
export function isCalendarDate (year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day) || year < 1 || year > 9999) return false
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]
  return days !== undefined && day >= 1 && day <= days
}
