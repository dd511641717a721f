import { ERR_SOURCE_UNAVAILABLE, Money, TypedAdapter, type RequestContext, type Setting, type TableRow, type TypedReaders } from 'b24bi'
import { Type } from 'typebox'

/** The tables, as TypeBox schemas: the portal's table list and descriptions come from them. */
const tables = {
  rates: Type.Object({
    DATE: Type.String({ format: 'date', title: 'Date' }),
    CURRENCY: Type.String({ title: 'Currency' }),
    RATE: Money({ title: 'Units per 1 EUR' })
  }, { title: 'Euro exchange rates' })
}

/** Daily euro exchange rates from an HTTP API that answers `{ rates: { "2026-01-02": { "USD": 1.0345 } } }`. */
export class ExchangeRatesAdapter extends TypedAdapter<typeof tables> {
  override readonly settings: readonly Setting[] = [{ code: 'apiKey', name: 'API key', type: 'STRING', secret: true }]
  readonly #baseUrl: string

  constructor (options: { baseUrl: string }) {
    super(tables)
    this.#baseUrl = options.baseUrl
  }

  async #get (path: string, context: RequestContext, signal?: AbortSignal): Promise<Response> {
    const response = await fetch(new URL(path, this.#baseUrl), { headers: { 'x-api-key': context.connection.apiKey! }, signal })
    if (response.status >= 500) throw new ERR_SOURCE_UNAVAILABLE()
    return response
  }

  /** The API says whether the key is valid. */
  override async check (context: RequestContext): Promise<boolean> {
    return (await this.#get('/latest', context)).ok
  }

  readonly readers: TypedReaders<typeof tables> = { rates: (plan, context) => this.#rates(plan.signal, context) }

  /** One batch per currency, each row typed by the schema; filters and limits are applied by the runtime. */
  async * #rates (signal: AbortSignal, context: RequestContext): AsyncGenerator<Array<TableRow<typeof tables.rates>>> {
    const { rates } = await (await this.#get('/timeseries', context, signal)).json() as { rates: Record<string, Record<string, number>> }
    const currencies = [...new Set(Object.values(rates).flatMap((day) => Object.keys(day)))].sort()
    for (const currency of currencies) {
      yield Object.entries(rates).filter(([, day]) => day[currency] !== undefined)
        .map(([date, day]) => ({ DATE: date, CURRENCY: currency, RATE: day[currency]! }))
    }
  }
}
