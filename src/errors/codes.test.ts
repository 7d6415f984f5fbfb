import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_KINDS, type ErrorKind } from './app-error.js';
import { ERROR_CODES } from './codes.js';
import { errorsDocument } from './errors-docs.js';
import { RATE_LIMIT_RULES } from '../http/rate-limits/rate-limits.js';

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'migrations' ? [] : sources(file);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.test-support.ts') ? [file] : [];
  });

const HELPER_KINDS: Record<string, ErrorKind> = {
  badRequest: 'malformed',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  notFound: 'not_found',
  conflict: 'conflict',
  unprocessable: 'unprocessable',
  unavailable: 'unavailable',
  upstream: 'upstream',
};

/** Local refusal helpers (`refuse`, `malformed`) and the kind each one throws, by file. */
const LOCAL_HELPERS: Record<string, Record<string, ErrorKind>> = {
  'src/features/ca/applications/signed-application.ts': { refuse: 'unprocessable' },
  'src/features/signin/signin.service.ts': { refuse: 'unauthorized' },
  'src/features/trust/evidence/signed-documents.ts': { refuse: 'unprocessable' },
  'src/features/fraud/identifiers.ts': { refuse: 'unprocessable' },
  'src/features/signatures/staff-sync.service.ts': { malformed: 'malformed' },
};

const CODE = `'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'`;

/** Every code thrown with a literal in src: `AppError.forbidden('X'`, `new AppError('kind', 'X'`, `refuse('X'`, `CmsFormatError('X'`, `cond ? 'X' : 'Y'`. */
function thrownCodes(): { code: string; kind: ErrorKind; file: string }[] {
  const found: { code: string; kind: ErrorKind; file: string }[] = [];
  const call = new RegExp(`\\b(AppError\\.(\\w+)|new AppError|refuse|malformed|CmsFormatError)\\(\\s*(?:'([a-z_]+)',\\s*)?(?:[^'(),]*\\?\\s*${CODE}\\s*:\\s*)?${CODE}`, 'g');
  for (const file of sources('src')) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(call)) {
      const [, fn, helper, kindArgument, ternaryCode, code] = m;
      const kind =
        fn.startsWith('AppError.') ? HELPER_KINDS[helper] : fn === 'new AppError' ? (kindArgument as ErrorKind) : fn === 'CmsFormatError' ? 'malformed' : LOCAL_HELPERS[file]?.[fn];
      if (!kind) continue;
      for (const c of [ternaryCode, code]) if (c) found.push({ code: c, kind, file });
    }
    // Certificate lint problems become unprocessable problem documents (ca/lint.ts assertLintClean).
    if (file.endsWith(path.join('ca', 'lint.ts'))) for (const m of text.matchAll(new RegExp(`code: ${CODE}`, 'g'))) found.push({ code: m[1], kind: 'unprocessable', file });
  }
  return found;
}

describe('the error code registry (src/errors/codes.ts)', () => {
  const thrown = thrownCodes();

  it('finds what it looks for (the scan is not empty, and sees a known code of each shape)', () => {
    expect(thrown.length).toBeGreaterThan(300);
    const codes = new Set(thrown.map((t) => t.code));
    for (const known of ['AUTH_INVALID_TOKEN', 'CHECK_NOT_RECORDED', 'PKCS12_MALFORMED', 'CMS_NO_SIGNER', 'KEY_CURVE_NOT_ALLOWED', 'CERTIFICATE_NOT_HOLDER']) expect(codes).toContain(known);
  });

  it('lists every code thrown in src, with the kind it is thrown with', () => {
    const missing = [...new Set(thrown.filter((t) => !ERROR_CODES[t.code]).map((t) => `${t.code} (${t.file})`))];
    expect(missing, 'add these to src/errors/codes.ts, then run npm run docs').toEqual([]);
    const otherKind = thrown.filter((t) => ERROR_CODES[t.code].kind !== t.kind).map((t) => `${t.code}: ${t.kind} in ${t.file}, ${ERROR_CODES[t.code].kind} in codes.ts`);
    expect(otherKind, 'one code, one kind').toEqual([]);
  });

  it('lists the codes made from others: certificate lint of an identifier in the subject (SUBJECT_<IIN or BIN problem>)', () => {
    const identifierProblems = Object.keys(ERROR_CODES).filter((code) => ERROR_CODES[code].area === 'identifiers' && /^(IIN|BIN)_/.test(code) && !/_INVALID$/.test(code));
    expect(identifierProblems.length).toBeGreaterThanOrEqual(11);
    for (const code of identifierProblems) expect(ERROR_CODES[`SUBJECT_${code}`]?.kind, `SUBJECT_${code}`).toBe('unprocessable');
  });

  it('lists the rate limits, and only known kinds, each code with a meaning', () => {
    for (const { code } of Object.values(RATE_LIMIT_RULES)) expect(ERROR_CODES[code]?.kind, code).toBe('rate_limited');
    for (const [code, entry] of Object.entries(ERROR_CODES)) {
      expect(ERROR_KINDS, code).toContain(entry.kind);
      expect(entry.meaning.length, code).toBeGreaterThan(10);
    }
  });

  it('is what docs/errors.md says (run `npm run docs` after changing a code)', () => {
    expect(readFileSync('docs/errors.md', 'utf8')).toBe(errorsDocument());
  });
});
