import { describe, expect, it } from 'vitest';
import { en } from '../../web/src/i18n/en.js';
import { enPortalops } from '../../web/src/i18n/en.portalops.js';
import { kkPortalops } from '../../web/src/i18n/kk.portalops.js';
import { ruPortalops } from '../../web/src/i18n/ru.portalops.js';

/** Every key path of a message tree, with the {{placeholders}} each message uses. */
function keys(tree: object, prefix = ''): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [key, value] of Object.entries(tree)) {
    const at = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(at, [...value.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort());
    else for (const [k, v] of keys(value as object, at)) out.set(k, v);
  }
  return out;
}

describe('portal messages of the operators, lender and public screens (*.portalops.ts)', () => {
  const reference = keys(enPortalops);

  it.each([['ru', ruPortalops], ['kk', kkPortalops]] as const)('%s has every English key, no other, the same placeholders, and no empty message', (_lang, messages) => {
    const theirs = keys(messages);
    expect([...reference.keys()].filter((k) => !theirs.has(k))).toEqual([]);
    expect([...theirs.keys()].filter((k) => !reference.has(k))).toEqual([]);
    for (const [key, placeholders] of reference) expect({ key, placeholders: theirs.get(key) }).toEqual({ key, placeholders });
    for (const [key] of theirs) expect({ key, empty: !key.split('.').reduce((o: never, k) => o[k], messages as never) }).toEqual({ key, empty: false });
  });

  it('takes no top-level name the other message files use, so that spreading them together loses nothing', () => {
    for (const name of Object.keys(enPortalops)) expect(Object.keys(en)).not.toContain(name);
  });
});
