/**
 * Off is free: what a package reads without tracing on (the switch parser, the contract's types
 * and constants) imports nothing at run time, so no OpenTelemetry module is loaded until a caller
 * imports the package's entry point, which it does only when tracing is on.
 */
import { readFileSync } from 'node:fs'
import t from 'tap'

for (const file of ['switch.ts', 'contract.ts']) {
  t.test(`src/${file} has no run-time import`, async t => {
    const text = readFileSync(new URL(`../src/${file}`, import.meta.url), 'utf8')
    const runtimeImports = text.split('\n').filter(line => /^\s*(import|export)\b(?!\s+type\b).*\bfrom\s+['"]/.test(line) || /\bimport\s*\(/.test(line))
    t.same(runtimeImports, [])
  })
}

t.test('the switch and contract modules load without @opentelemetry/*', async t => {
  const before = (globalThis as Record<symbol, unknown>)[Symbol.for('opentelemetry.js.api.1')]
  const { parseTracingSwitch } = await import('../src/switch.js')
  const contract = await import('../src/contract.js')
  t.equal(parseTracingSwitch('1'), true)
  t.equal(contract.ROUTE_OPERATION_KEY, 'seldonOperation')
  t.equal(before, undefined)
  t.equal((globalThis as Record<symbol, unknown>)[Symbol.for('opentelemetry.js.api.1')], undefined)
})
