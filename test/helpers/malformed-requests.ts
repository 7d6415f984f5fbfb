import fc from 'fast-check';

/**
 * Malformed requests generated from the OpenAPI document: for one operation, a request that
 * starts from a plausible baseline (known ids, a body shaped by the schema) and breaks one thing:
 * a path or query value, a body field, the whole body, the media type, or a credential header.
 *
 * A request is kept as a template (`{{bin}}`-style placeholders for the entities a test run
 * makes), so a failing one can be stored in test/fixtures/malformed/regressions.json and
 * replayed by later runs.
 */

export type CredentialName = 'anonymous' | 'operator' | 'lender' | 'person' | 'orgHead';

export interface RequestTemplate {
  /** "METHOD /openapi/path" */
  operation: string;
  credential: CredentialName;
  method: string;
  /** Path and query, already percent-encoded, with {{placeholders}}. */
  url: string;
  headers: Record<string, string>;
  /** The body as UTF-8 text, or as base64 when it is bytes. */
  body?: string;
  bodyBase64?: string;
  /** What was broken, for the reader of a failure. */
  mutation: string;
}

type Schema = Record<string, any>;

export interface Operation {
  method: string;
  path: string;
  id: string;
  spec: Schema;
  pathParams: { name: string; schema: Schema }[];
  queryParams: { name: string; schema: Schema }[];
  /** Media type → body schema, from requestBody (or the route's `consumes` for raw uploads). */
  bodyTypes: Record<string, Schema>;
  security: string[];
}

/**
 * Routes that read a raw body without a body schema, so OpenAPI shows no requestBody; the
 * route's `consumes` lists the types (OpenAPI 3 output of @fastify/swagger drops it).
 */
const RAW_BODIES: Record<string, string[]> = {
  'POST /pki/ocsp': ['application/ocsp-request'],
  'POST /v1/breaches/{id}/affected': ['text/csv', 'application/x-ndjson'],
};

export function operationsOf(doc: Schema): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries<Schema>(doc.paths)) {
    for (const [method, spec] of Object.entries<Schema>(item)) {
      const id = `${method.toUpperCase()} ${path}`;
      const parameters: Schema[] = spec.parameters ?? [];
      const content: Record<string, { schema?: Schema }> = spec.requestBody?.content ?? {};
      const bodyTypes = Object.fromEntries(Object.entries(content).map(([type, c]) => [type, resolve(doc, c.schema ?? {})]));
      for (const type of RAW_BODIES[id] ?? []) bodyTypes[type] = { description: 'raw' };
      operations.push({
        method: method.toUpperCase(),
        path,
        id,
        spec,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        queryParams: parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        bodyTypes,
        security: (spec.security ?? []).flatMap((s: Schema) => Object.keys(s)),
      });
    }
  }
  return operations;
}

/** Inlines local $refs (components/schemas), so a schema can be walked on its own. */
function resolve(doc: Schema, schema: Schema, depth = 0): Schema {
  if (depth > 8 || schema === null || typeof schema !== 'object') return schema;
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return resolve(doc, doc.components?.schemas?.[name] ?? {}, depth + 1);
  }
  if (Array.isArray(schema)) return schema.map((s) => resolve(doc, s, depth + 1));
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, v && typeof v === 'object' ? resolve(doc, v, depth + 1) : v]));
}

/** The credentials worth trying on an operation: always none, plus what its security asks for. */
export function credentialsFor(op: Operation): CredentialName[] {
  const names = new Set<CredentialName>(['anonymous']);
  if (op.security.includes('operatorToken')) names.add('operator');
  if (op.security.includes('personSession')) names.add(op.path.startsWith('/v1/orgs') ? 'orgHead' : 'person');
  if (op.path === '/v1/credit/checks' || op.path.startsWith('/v1/credit/checks/') || op.path === '/v1/credit/loan-reports') names.add('lender');
  if (op.path === '/v1/usage-events' || op.path === '/v1/signatures/verify') names.add('operator');
  return [...names];
}

// ---- baseline values: plausible enough to get past the first check --------------------------

/** A path parameter's plausible value, as a placeholder the test fills in. */
function baselinePathValue(op: Operation, name: string, schema: Schema): string {
  if (name === 'bin') return '{{bin}}';
  if (name === 'iin') return '{{iin}}';
  if (name === 'serial') return '{{serial}}';
  if (name === 'kind') return 'auth';
  if (name === '*') return 'MAMGAQA%3D';
  if (name === 'file') return op.path.startsWith('/pki/crl') ? 'issuing.crl' : 'root.cer';
  if (schema.format === 'uuid') return '{{uuid}}';
  if (op.path.startsWith('/v1/breaches/{id}/') && op.path !== '/v1/breaches/{id}/affected') return '{{breachForActions}}';
  if (op.path.startsWith('/v1/breaches/{id}')) return '{{breach}}';
  return 'unknown-1';
}

/** A body value shaped by the schema; fields named after IINs, BINs and DER get such values. */
export function baselineValue(schema: Schema, name = '', depth = 0): unknown {
  if (!schema || typeof schema !== 'object' || depth > 6) return 'x';
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(schema[key])) return baselineValue(schema[key].find((s: Schema) => s.type !== 'null') ?? schema[key][0], name, depth + 1);
  }
  if (Array.isArray(schema.allOf)) return baselineValue(Object.assign({}, ...schema.allOf), name, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, sub] of Object.entries<Schema>(schema.properties ?? {})) out[key] = baselineValue(sub, key, depth + 1);
      return out;
    }
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => baselineValue(schema.items ?? {}, name, depth + 1));
    case 'integer':
    case 'number':
      return schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1);
    case 'boolean':
      return false;
    default: {
      if (schema.format === 'uuid') return '{{uuid}}';
      if (schema.format === 'date-time') return '2026-11-20T10:00:00.000Z';
      if (schema.format === 'date') return '2026-11-20';
      if (schema.format === 'email') return 'someone@example.kz';
      if (schema.format === 'uri') return 'https://example.kz/hook';
      if (/iin$/i.test(name)) return '{{iin}}';
      if (/bin$/i.test(name)) return '{{bin}}';
      if (/serial/i.test(name)) return '{{serial}}';
      if (/cms|csr|der|signature|data$/i.test(name)) return 'MAMCAQA=';
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
    }
  }
}

// ---- malformed values --------------------------------------------------------------------

/** JSON cannot spell these; bodies carry them as raw number text (1e309 parses to Infinity). */
const RAW = '\u{E000}raw:';
function raw(text: string): string {
  return `${RAW}${text}`;
}

const controlText = fc.constantFrom('\u0000', 'a\u0000b', '\u0001', 'bell\u0007', '\u001b[2J', 'del\u007f', '\ud800', 'x\udfffy', 'tab\tnew\nline\r', '\u2028', '\ufeff', '\u0000'.repeat(40));
const numberText = fc.constantFrom('Infinity', '-Infinity', 'NaN', '1e309', '-1e309', '1e308', '-1', '0', '-0', '1.5', '9007199254740993', '0x10', '1_000', ' 1', '', 'true');
/** Dates and times at the edges: year 0, a leap second, offsets past ±14:00, years past JavaScript's range. */
const dateText = fc.constantFrom(
  '0000-01-01',
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00+14:00',
  '2026-12-31T23:59:60Z',
  '2026-02-29',
  '2024-02-29T12:00:00Z',
  '9999-12-31T23:59:59.999-14:00',
  '10000-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.001Z',
  '-000001-01-01T00:00:00Z',
  '2026-11-20T10:00:00.000+23:59',
  '2026-11-20T10:00:00.123456789Z',
  '2026-11-20t10:00:00z',
  '2026-11-20 10:00:00Z',
  '1969-12-31T23:59:59.999Z',
);
const nonFinite = fc.constantFrom(raw('1e309'), raw('-1e309'), raw('1e999999'), 1e308, -1e308, 2 ** 53 + 1, -1, 0, 0.5, 1e-320, 4294967296, -2147483649);
const wrongType = fc.constantFrom<unknown>(true, false, null, [], {}, 12345, -7, [[[[]]]], { a: { b: {} } }, ['x'], [1, 2], '', ' ');
const longText = fc
  .tuple(fc.integer({ min: 300, max: 70_000 }), fc.constantFrom('a', '9', 'я', '😀', '\\', '%', '0f'))
  .map(([n, c]) => c.repeat(Math.ceil(n / c.length)));
const malformedId = fc.constantFrom(
  '-'.repeat(36),
  'urn:uuid:a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  '00000000-0000-0000-0000-00000000000g',
  '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}',
  'a0eebc999c0b4ef8bb6d6bb9bd380a11',
  '880515300121',
  '000000000000',
  '999999999999',
  '94014000038',
  '9401400003850',
  '940140000386',
  '12345678901x',
  '\u0668\u0668\u0660\u0665\u0661\u0665\u0663\u0660\u0660\u0661\u0662\u0660',
  '８８０５１５３００１２０',
  'zz',
  '0x1f',
  'ab'.repeat(120),
  '-1',
  '1e3',
  ' 880515300120 ',
  '..',
  '.',
  "'; drop table breaches; --",
  '__proto__',
  'constructor',
  'null',
);
const garbageBase64 = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('base64')),
  fc.uint8Array({ minLength: 2, maxLength: 120 }).map((b) => Buffer.concat([Buffer.from([0x30, 0x82, 0xff, 0xff]), b]).toString('base64')),
  fc.constantFrom('!!!!', 'A', 'AA', 'AAA=', '====', 'MA==', 'MAA=', 'MIIB', 'MIAwgA==', '-----BEGIN CMS-----\nAAAA\n-----END CMS-----', 'data:application/pkcs7;base64,AAAA', 'YQ==YQ==', 'Y Q = ='),
);
const anyText = fc.string({ unit: 'binary', maxLength: 30 });

/** A malformed JSON value for a body field. */
export const nastyJson: fc.Arbitrary<unknown> = fc.oneof(
  controlText,
  dateText,
  nonFinite,
  wrongType,
  longText,
  malformedId,
  garbageBase64,
  anyText,
  numberText,
  fc.anything({ maxDepth: 2, maxKeys: 3 }),
);

/** A malformed value for a path segment or a query string: text, or raw percent-escapes. */
const nastyText: fc.Arbitrary<{ text: string } | { encoded: string }> = fc.oneof(
  fc.oneof(controlText, numberText, dateText, longText, malformedId, garbageBase64, anyText).map((text) => ({ text })),
  fc.constantFrom('%', '%FF', '%00', '%C0%AF', '%ED%A0%80', '%E2%82', '+', '%2F', '..%2F..', '%25', 'a%0Ab', '%7F').map((encoded) => ({ encoded })),
);

/** The schema of a value: the first non-null branch of a union. */
function effective(schema: Schema | undefined): Schema {
  if (!schema || typeof schema !== 'object') return {};
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(schema[key])) return effective(schema[key].find((s: Schema) => s.type !== 'null') ?? schema[key][0]);
  }
  return schema;
}

/** Malformed values aimed at what the schema says a value is, then anything at all. */
function aimedAt<T>(schema: Schema | undefined, name: string, kinds: { date: fc.Arbitrary<T>; id: fc.Arbitrary<T>; number: fc.Arbitrary<T>; text: fc.Arbitrary<T>; der: fc.Arbitrary<T>; any: fc.Arbitrary<T> }): fc.Arbitrary<T> {
  const s = effective(schema);
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
  const aimed: fc.Arbitrary<T>[] = [];
  if (s.format === 'date' || s.format === 'date-time' || /At$|date|from|to|until|before|since/i.test(name)) aimed.push(kinds.date);
  if (s.format === 'uuid' || s.pattern || /^(id|iin|bin|serial)$|Id$|Iin$|Bin$|Serial$/.test(name)) aimed.push(kinds.id);
  if (type === 'integer' || type === 'number') aimed.push(kinds.number);
  if (type === 'string' || type === undefined) aimed.push(kinds.text);
  if (/cms|csr|der|document|signature|data|certificate/i.test(name)) aimed.push(kinds.der);
  return fc.oneof({ arbitrary: aimed.length > 0 ? fc.oneof(...aimed) : kinds.any, weight: 3 }, { arbitrary: kinds.any, weight: 1 });
}

function nastyJsonFor(schema: Schema | undefined, name: string): fc.Arbitrary<unknown> {
  return aimedAt<unknown>(schema, name, { date: dateText, id: malformedId, number: fc.oneof(nonFinite, numberText), text: fc.oneof(controlText, longText, anyText), der: garbageBase64, any: nastyJson });
}

function nastyTextFor(schema: Schema | undefined, name: string): fc.Arbitrary<{ text: string } | { encoded: string }> {
  const text = (a: fc.Arbitrary<string>) => a.map((t) => ({ text: t }));
  return aimedAt(schema, name, { date: text(dateText), id: text(malformedId), number: text(numberText), text: text(fc.oneof(controlText, longText, anyText)), der: text(garbageBase64), any: nastyText });
}

function encode(value: { text: string } | { encoded: string }): string {
  if ('encoded' in value) return value.encoded;
  try {
    return encodeURIComponent(value.text);
  } catch {
    // A lone surrogate has no UTF-8 form; send what a careless client would: its replacement.
    return [...Buffer.from(value.text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');
  }
}

/** JSON text for a value that may hold raw number markers or non-finite numbers. */
export function jsonText(value: unknown): string {
  const text = JSON.stringify(value, (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? raw(Number.isNaN(v) ? 'NaN' : v > 0 ? '1e309' : '-1e309') : v));
  return (text ?? 'null').replace(new RegExp(`"${RAW}([^"]*)"`, 'g'), '$1');
}

// ---- body field paths --------------------------------------------------------------------

interface Field {
  path: (string | number)[];
  schema: Schema | undefined;
}

/** Every property of the baseline body, with the schema that describes it. */
function fieldsOf(value: unknown, schema: Schema | undefined, prefix: (string | number)[] = [], out: Field[] = []): Field[] {
  const s = effective(schema);
  if (Array.isArray(value)) value.forEach((v, i) => fieldsOf(v, s.items, [...prefix, i], out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const sub = s.properties?.[k];
      out.push({ path: [...prefix, k], schema: sub });
      fieldsOf(v, sub, [...prefix, k], out);
    }
  }
  return out;
}

function setAt(value: unknown, path: (string | number)[], replacement: unknown, remove = false): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (remove) delete node[last];
  else node[last] = replacement;
  return copy;
}

// ---- requests ----------------------------------------------------------------------------

const OTHER_TYPES = [
  'text/plain',
  'application/xml',
  'application/octet-stream',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  'application/json; charset=utf-16',
  'application/json',
  'application/pkcs7-mime',
  'application/timestamp-query',
  'application/ocsp-request',
  'text/csv',
  'application/x-ndjson',
  'application/problem+json',
  'garbage',
];

const garbageBody = fc.oneof(
  fc.uint8Array({ maxLength: 400 }).map((b) => ({ bodyBase64: Buffer.from(b).toString('base64') })),
  fc.constantFrom('', '{', '{"a":', 'null', '[]', '"text"', '12', 'true', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', 'iin\n880515300121\n\u0000', 'iin;categories\n'.concat('9'.repeat(5000)), '{"iin":"880515300120"}\n{"iin":'.concat('1e309}'), '\ufeff{}', `${'['.repeat(3000)}${']'.repeat(3000)}`).map((body) => ({ body })),
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => ({ bodyBase64: Buffer.concat([Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff]), b]).toString('base64') })),
);

const credentialHeader = fc.oneof(
  fc.constantFrom('Bearer', 'Bearer ', 'Basic YTpi', 'bearer  x', 'Bearer qlk_', 'Bearer qlk_'.concat('a'.repeat(500)), 'Bearer qot_x', 'Bearer '.concat('-'.repeat(36)), 'Negotiate', 'Bearer a b c').map((v) => ({ authorization: v })),
  fc.constantFrom('__Host-qorgau-session=', '__Host-qorgau-session=x', '__Host-qorgau-session='.concat('-'.repeat(36)), '__Host-qorgau-session=%00', '__Host-qorgau-session="a";__Host-qorgau-session=b', 'a=b; ;;=').map((v) => ({ cookie: v })),
  fc.string({ unit: 'binary-ascii', maxLength: 80 }).map((v) => ({ 'x-device-id': v.replace(/[^\x20-\x7e]/g, '') || '-' })),
  fc.constantFrom('x'.repeat(5000), '\u00e9\u00e8', '-').map((v) => ({ 'x-device-id': v })),
);

/** Generated malformed requests for one operation. */
export function malformedRequests(op: Operation): fc.Arbitrary<RequestTemplate> {
  const credentials = credentialsFor(op);
  const pathValues = Object.fromEntries(op.pathParams.map((p) => [p.name, baselinePathValue(op, p.name, p.schema)]));
  const jsonSchema = op.bodyTypes['application/json'];
  const baselineBody = jsonSchema ? baselineValue(jsonSchema) : undefined;
  const declaredTypes = Object.keys(op.bodyTypes);
  const takesBody = declaredTypes.length > 0;

  const build = (credential: CredentialName, mutation: string, parts: { path?: Record<string, string>; query?: string; headers?: Record<string, string>; body?: { body?: string; bodyBase64?: string }; type?: string }): RequestTemplate => {
    const values = { ...pathValues, ...parts.path };
    const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => values[name] ?? 'x');
    const headers: Record<string, string> = { ...parts.headers };
    let body = parts.body;
    let type = parts.type;
    if (!body && takesBody) {
      if (baselineBody !== undefined) {
        body = { body: jsonText(baselineBody) };
        type ??= 'application/json';
      } else {
        body = { bodyBase64: 'MAMCAQA=' };
        type ??= declaredTypes[0];
      }
    }
    if (type !== undefined && type !== '') headers['content-type'] = type;
    return { operation: op.id, credential, method: op.method, url: `${path}${parts.query ? `?${parts.query}` : ''}`, headers, ...body, mutation };
  };

  const credential = fc.constantFrom(...credentials);
  const mutations: fc.Arbitrary<RequestTemplate>[] = [];
  /** Values aimed at a declared path parameter or body field: most of the runs go there. */
  const aimed: fc.Arbitrary<RequestTemplate>[] = [];

  if (op.pathParams.length > 0) {
    aimed.push(
      fc
        .tuple(credential, fc.constantFrom(...op.pathParams))
        .chain(([c, p]) => nastyTextFor(p.schema, p.name).map((value) => build(c, `path parameter ${p.name}`, { path: { [p.name]: encode(value) } }))),
    );
  }
  const queryParams = [...op.queryParams, { name: 'unknownParameter', schema: {} }];
  (op.queryParams.length > 0 ? aimed : mutations).push(
    fc
      .tuple(credential, fc.constantFrom(...queryParams), fc.boolean())
      .chain(([c, p, twice]) =>
        nastyTextFor(p.schema, p.name).map((value) => build(c, `query ${p.name}${twice ? ' (twice)' : ''}`, { query: twice ? `${p.name}=${encode(value)}&${p.name}=1` : `${p.name}=${encode(value)}` })),
      ),
  );
  mutations.push(
    fc.tuple(credential, fc.constantFrom('&&==', 'a[b]=c', '__proto__[x]=1', 'limit[]=1', '=x', 'x'.repeat(5000), `limit=${'9'.repeat(400)}`)).map(([c, query]) => build(c, 'query string', { query })),
    fc.tuple(credential, credentialHeader).map(([c, headers]) => build(c, `header ${Object.keys(headers)[0]}`, { headers })),
  );

  if (baselineBody !== undefined) {
    const fields = fieldsOf(baselineBody, jsonSchema);
    if (fields.length > 0) {
      const field = (f: Field) => f.path.join('.');
      const name = (f: Field) => String(f.path[f.path.length - 1]);
      aimed.push(
        fc
          .tuple(credential, fc.constantFrom(...fields))
          .chain(([c, f]) => nastyJsonFor(f.schema, name(f)).map((value) => build(c, `body field ${field(f)}`, { body: { body: jsonText(setAt(baselineBody, f.path, value)) }, type: 'application/json' }))),
      );
      mutations.push(
        fc.tuple(credential, fc.constantFrom(...fields)).map(([c, f]) => build(c, `body without ${field(f)}`, { body: { body: jsonText(setAt(baselineBody, f.path, undefined, true)) }, type: 'application/json' })),
      );
    }
    mutations.push(
      fc.tuple(credential, nastyJson).map(([c, value]) => build(c, 'body replaced', { body: { body: jsonText(value) }, type: 'application/json' })),
      fc.tuple(credential, fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 12 }), nastyJson).map(([c, key, value]) =>
        build(c, 'body with an extra property', { body: { body: jsonText({ ...(baselineBody as object), [key]: value }) }, type: 'application/json' }),
      ),
    );
  }
  if (takesBody || op.method !== 'GET') {
    mutations.push(
      fc.tuple(credential, fc.constantFrom(...OTHER_TYPES, ...declaredTypes, ''), garbageBody).map(([c, type, body]) => build(c, `body of type ${type || '(none)'}`, { body, type })),
    );
  }
  return fc.oneof(...aimed.map((arbitrary) => ({ arbitrary, weight: 4 })), ...mutations.map((arbitrary) => ({ arbitrary, weight: 1 })));
}
