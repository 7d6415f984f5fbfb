import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';

/*
 * Published vectors of RFC 8785 (JSON Canonicalization Scheme), not made by our code:
 * - the input/output pairs of the scheme's reference test data, github.com/cyberphone/json-canonicalization,
 *   testdata/input/*.json and testdata/output/*.json (values.json is also the example of RFC 8785 section 3.2.2);
 * - the IEEE-754 to ECMAScript number table of RFC 8785 Appendix B.
 * Inputs are parsed with JSON.parse, as a server parses a signed request; the expected text
 * is compared as a string (our output is then UTF-8 encoded, as section 3.2.4 asks).
 */
const DATA_VECTORS: { name: string; input: string; output: string }[] = [
  {
    name: 'values.json',
    input: '{\n  "numbers": [1E30, 4.50, 333333333.33333329, 2e-3, 0.000000000000000000000000001],\n  "escaping": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n  "literals": [null, true, false]\n}',
    output: '{"escaping":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/","literals":[null,true,false],"numbers":[1e+30,4.5,333333333.3333333,0.002,1e-27]}',
  },
  {
    name: 'structures.json',
    input: '{\n  "1": {"f": {"f": "hi","F": 5} ,"\\n": 56.0},\n  "10": { },\n  "": "empty",\n  "a": { },\n  "111": [ { } ],\n  "A": { }\n}',
    output: '{"":"empty","1":{"\\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{}],"A":{},"a":{}}',
  },
  {
    name: 'weird.json (sorting by UTF-16 code units: the emoji\'s surrogates sort below U+FB33)',
    input: '{\n  "\\u20ac": "Euro Sign",\n  "1": "One",\n  "\\u0080": "Control\\u007f",\n  "\\ud83d\\ude02": "Smiley",\n  "\\u00f6": "Latin Small Letter O With Diaeresis",\n  "\\ufb33": "Hebrew Letter Dalet With Dagesh",\n  "</script>": "Browser Challenge"\n}\n',
    output: '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude02":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
  },
];

/** RFC 8785 Appendix B: IEEE-754 binary64 (hex) and its canonical text. */
const NUMBER_VECTORS: [string, string][] = [
  ['0000000000000000', '0'],
  ['8000000000000000', '0'],
  ['0000000000000001', '5e-324'],
  ['8000000000000001', '-5e-324'],
  ['7fefffffffffffff', '1.7976931348623157e+308'],
  ['ffefffffffffffff', '-1.7976931348623157e+308'],
  ['4340000000000000', '9007199254740992'],
  ['c340000000000000', '-9007199254740992'],
  ['4430000000000000', '295147905179352830000'],
  ['44b52d02c7e14af5', '9.999999999999997e+22'],
  ['44b52d02c7e14af6', '1e+23'],
  ['44b52d02c7e14af7', '1.0000000000000001e+23'],
  ['444b1ae4d6e2ef4e', '999999999999999700000'],
  ['444b1ae4d6e2ef4f', '999999999999999900000'],
  ['444b1ae4d6e2ef50', '1e+21'],
  ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
  ['3eb0c6f7a0b5ed8d', '0.000001'],
  ['41b3de4355555553', '333333333.3333332'],
  ['41b3de4355555554', '333333333.33333325'],
  ['41b3de4355555555', '333333333.3333333'],
  ['41b3de4355555556', '333333333.3333334'],
  ['41b3de4355555557', '333333333.33333343'],
  ['becbf647612f3696', '-0.0000033333333333333333'],
  ['43143ff3c1cb0959', '1424953923781206.2'],
];
/** Appendix B's values that must be refused: NaN and Infinity have no JSON form. */
const REFUSED = ['7fffffffffffffff', '7ff0000000000000'];

const fromBits = (hex: string) => Buffer.from(hex, 'hex').readDoubleBE(0);

describe('canonical JSON is RFC 8785 (JCS)', () => {
  for (const v of DATA_VECTORS) {
    it(`gives the reference output for ${v.name}`, () => {
      expect(canonicalJson(JSON.parse(v.input))).toBe(v.output);
    });
  }

  it('writes every number of RFC 8785 Appendix B as the table does', () => {
    for (const [bits, text] of NUMBER_VECTORS) expect(canonicalJson(fromBits(bits)), bits).toBe(text);
    for (const bits of REFUSED) expect(() => canonicalJson(fromBits(bits)), bits).toThrow(TypeError);
  });

  it('gives the UTF-8 bytes of the reference README example', () => {
    // github.com/cyberphone/json-canonicalization README: the sample's canonical form in hexadecimal.
    const input = '{\n  "numbers": [1E30,4.50,6,2e-3,0.000000000000000000000000001],\n  "escaping": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n  "other":  [null, true, false]\n}';
    const hex =
      '7b 22 65 73 63 61 70 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30 30 66 5c 6e 41 27 42 5c 22 5c 5c ' +
      '5c 5c 5c 22 2f 22 2c 22 6e 75 6d 62 65 72 73 22 3a 5b 31 65 2b 33 30 2c 34 2e 35 2c 36 2c 30 2e ' +
      '30 30 32 2c 31 65 2d 32 37 5d 2c 22 6f 74 68 65 72 22 3a 5b 6e 75 6c 6c 2c 74 72 75 65 2c 66 61 ' +
      '6c 73 65 5d 7d';
    expect(Buffer.from(canonicalJson(JSON.parse(input)), 'utf8').toString('hex')).toBe(hex.replace(/ /g, ''));
  });
});
