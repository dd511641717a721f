// The root suite covers test/** only: this runs the custom-adapter example's own kit test so CI covers it.
import '../../../examples/custom-adapter/test/exchange-rates.test.js'
