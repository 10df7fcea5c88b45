/**
 * recurringText (src/bytes-text.ts) against Buffer's UTF-8 decoding, which it stands in for: the
 * same text whatever was read before it, for ASCII, other UTF-8, invalid bytes and long texts.
 */
import t from 'tap'
import fc from 'fast-check'
import { recurringText } from '../src/bytes-text.js'

function decodes (bytes: Buffer, start = 0, end = bytes.length): boolean {
  return recurringText(bytes, start, end) === bytes.toString('utf8', start, end)
}

t.test('the text of the bytes, kept or not', async (tt) => {
  const texts = ['a', 't:0', 'sepal_length', '', 'é', 'naïve', '€', '😀', 'x'.repeat(32), 'x'.repeat(33), 'Aa', 'BB', 'Aa', 'é', 'x'.repeat(32)]
  for (const text of texts) tt.ok(decodes(Buffer.from(text)), JSON.stringify(text))
  // "Aa" and "BB" have the same hash: each is still itself, in either order
  for (const text of ['BB', 'Aa', 'BB']) tt.equal(recurringText(Buffer.from(text), 0, 2), text)
  // invalid UTF-8 becomes U+FFFD, as Buffer decodes it
  for (const bytes of [[0xc3], [0x61, 0xff, 0x62], [0xed, 0xa0, 0x80]]) tt.ok(decodes(Buffer.from(bytes)), JSON.stringify(bytes))
  // a slice within a larger buffer
  const body = Buffer.from('{"names":["t:0","t:1"]}')
  tt.equal(recurringText(body, 11, 14), 't:0')
  tt.equal(recurringText(body, 17, 20), 't:1')
})

t.test('property: any bytes, read again and again, past the texts it keeps', async (tt) => {
  const texts = fc.oneof(
    fc.string({ maxLength: 40 }).map(s => Buffer.from(s)),
    fc.constantFrom('Aa', 'BB', 'AaAa', 'BBBB', 'AaBB', 'BBAa').map(s => Buffer.from(s)),
    fc.uint8Array({ maxLength: 12 }).map(u => Buffer.from(u))
  )
  fc.assert(fc.property(fc.array(texts, { minLength: 1, maxLength: 40 }), (all) => all.every(bytes => decodes(bytes))), { numRuns: 300 })
  tt.pass('every text decoded as Buffer decodes it')
})
