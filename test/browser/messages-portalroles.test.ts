import { describe, expect, it } from 'vitest';
import { en } from '../../web/src/i18n/en.js';
import { enPortalroles } from '../../web/src/i18n/en.portalroles.js';
import { ruPortalroles } from '../../web/src/i18n/ru.portalroles.js';
import { kkPortalroles } from '../../web/src/i18n/kk.portalroles.js';

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

describe('portal messages of the investigator, organization and inspector screens (*.portalroles.ts)', () => {
  const reference = keys(enPortalroles);

  it.each([['ru', ruPortalroles], ['kk', kkPortalroles]] as const)('%s has every English key, no other, the same placeholders, and no empty message', (_lang, messages) => {
    const theirs = keys(messages);
    expect([...reference.keys()].filter((k) => !theirs.has(k))).toEqual([]);
    expect([...theirs.keys()].filter((k) => !reference.has(k))).toEqual([]);
    for (const [key, placeholders] of reference) expect({ key, placeholders: theirs.get(key) }).toEqual({ key, placeholders });
    expect([...theirs.keys()].filter((k) => !k.split('.').reduce<any>((tree, part) => tree[part], messages).trim())).toEqual([]);
  });

  it('adds its own top-level key, replacing none of the main messages', () => {
    expect(Object.keys(enPortalroles).filter((k) => k in en)).toEqual([]);
  });
});
