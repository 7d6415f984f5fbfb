import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { FEATURE_DEPENDENCIES } from '../eslint.config.js';

/**
 * The feature boundaries of docs/architecture.md: the lint rule refuses an import of another
 * feature's internals (and passes the same file importing the index), and no import cycle
 * runs between folders.
 */
const root = path.resolve(import.meta.dirname, '..');
const probeDir = path.join(root, 'src/features/signatures/__architecture_probe__');

async function lint(file: string, text: string): Promise<string[]> {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  const [result] = await new ESLint({ cwd: root }).lintFiles([file]);
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

afterAll(() => rmSync(probeDir, { recursive: true, force: true }));

describe('feature boundaries', () => {
  it("refuses an import of another feature's internal module, and accepts its index", async () => {
    const file = path.join(probeDir, 'probe.ts');
    const internal = await lint(file, "import { CertificateIssuer } from '../../ca/issuance/certificate-issuer.js';\nexport const probe = CertificateIssuer;\n");
    expect(internal).toEqual([expect.stringMatching(/^boundaries\/dependencies: .*"signatures".*"ca"/)]);
    const viaIndex = await lint(file, "import { CertificateIssuer } from '../../ca/index.js';\nexport const probe = CertificateIssuer;\n");
    expect(viaIndex).toEqual([]);
  }, 120_000);

  it('refuses a dependency the architecture does not allow, even through the index (trust knows no employers)', async () => {
    const file = path.join(root, 'src/features/trust/__architecture_probe__.ts');
    try {
      const messages = await lint(file, "import { UsageService } from '../signatures/index.js';\nexport const probe = UsageService;\n");
      expect(messages).toEqual([expect.stringMatching(/^boundaries\/dependencies: .*"trust".*"signatures"/)]);
    } finally {
      rmSync(file, { force: true });
    }
  }, 120_000);
});

/** The folder a file belongs to, as docs/architecture.md names them. */
function folderOf(rel: string): string {
  const feature = /^src\/features\/([^/]+)\//.exec(rel);
  if (feature) return `features/${feature[1]}`;
  const top = /^src\/([^/]+)\//.exec(rel);
  return top ? top[1] : rel === 'src/server.ts' ? 'http' : rel.split('/')[0];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** Runtime imports between folders of src/ (tests left out; type-only imports erased at runtime left out). */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(path.join(root, 'src'))) {
    const rel = path.relative(root, file);
    const from = folderOf(rel);
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      let spec: string | undefined;
      if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier)) spec = node.moduleSpecifier.text;
      else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) spec = node.moduleSpecifier.text;
      else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) spec = node.arguments[0].text;
      if (spec?.startsWith('.')) {
        const to = folderOf(path.relative(root, path.resolve(path.dirname(file), spec)));
        if (to !== from) graph.set(from, (graph.get(from) ?? new Set()).add(to));
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return graph;
}

function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const walk = (node: string): string[] | undefined => {
    if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node];
    if (state.get(node) === 'done') return undefined;
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = walk(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = walk(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('folder dependencies', () => {
  it('the allowed feature dependencies have no cycle', () => {
    const graph = new Map(Object.entries(FEATURE_DEPENDENCIES).map(([from, tos]) => [from, new Set<string>(tos)]));
    expect(findCycle(graph)).toBeUndefined();
  });

  it('no import cycle runs between folders of src/', () => {
    const graph = folderGraph();
    expect(graph.get('features/trust')).not.toContain('features/signatures');
    expect(findCycle(graph)).toBeUndefined();
  });

  it('finds a cycle when there is one (the check can fail)', () => {
    expect(findCycle(new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])]]))).toEqual(['a', 'b', 'c', 'a']);
  });
});
