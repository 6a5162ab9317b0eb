import {describe, expect, it} from 'vitest'

import {parseGoBool, parseGoInt} from '../../../src/dockerd/strconv.js'

// Expected values are what Go's strconv.ParseInt(s, 0, 64) / ParseBool return (go1.22).
describe('parseGoInt (strconv.ParseInt(s, 0, 64))', () => {
  it.each([
    ['0', 0],
    ['-0', 0],
    ['+5', 5],
    ['1500', 1500],
    ['-42', -42],
    ['010', 8],
    ['00', 0],
    ['0x1F', 31],
    ['0X1f', 31],
    ['-0x10', -16],
    ['0b101', 5],
    ['0B11', 3],
    ['0o17', 15],
    ['0O17', 15],
    ['1_000', 1000],
    ['0x_1F', 31],
    ['0_7', 7],
    ['9223372036854775807', Number(2n ** 63n - 1n)],
    ['-9223372036854775808', -Number(2n ** 63n)],
  ])('%s is %d', (text, value) => expect(parseGoInt(text)).toBe(value))

  it.each([
    '',
    '+',
    '-',
    '08',
    '09',
    '0x',
    '0o',
    '0b',
    '0b2',
    '0xg',
    '1__0',
    '_1',
    '1_',
    '0x_',
    ' 1',
    '1 ',
    '1.0',
    '1e3',
    '+-1',
    '9223372036854775808',
    '0x8000000000000000',
    '-9223372036854775809',
    '١٢',
    '0xＡ',
    'abc',
  ])('%j is an error', (text) => expect(parseGoInt(text)).toBeUndefined())
})

describe('parseGoBool (strconv.ParseBool)', () => {
  it.each(['1', 't', 'T', 'TRUE', 'true', 'True'])('%s is true', (text) => expect(parseGoBool(text)).toBe(true))
  it.each(['0', 'f', 'F', 'FALSE', 'false', 'False'])('%s is false', (text) => expect(parseGoBool(text)).toBe(false))
  it.each(['', 'yes', 'no', 'tRUE', 'fAlSe', 'on', ' true'])('%j is an error', (text) => expect(parseGoBool(text)).toBeUndefined())
})
