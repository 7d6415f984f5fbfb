import { describe, expect, it } from 'vitest';
import { en } from '../../web/src/i18n/en.js';
import { ru } from '../../web/src/i18n/ru.js';
import { kk } from '../../web/src/i18n/kk.js';

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

describe('portal messages', () => {
  const reference = keys(en);

  it.each([['ru', ru], ['kk', kk]] as const)('%s has every English key, no other, and the same placeholders', (_lang, messages) => {
    const theirs = keys(messages);
    expect([...reference.keys()].filter((k) => !theirs.has(k))).toEqual([]);
    expect([...theirs.keys()].filter((k) => !reference.has(k))).toEqual([]);
    for (const [key, placeholders] of reference) expect({ key, placeholders: theirs.get(key) }).toEqual({ key, placeholders });
  });

  it.each([['en', en], ['ru', ru], ['kk', kk]] as const)('%s has no empty message', (_lang, messages) => {
    const empty: string[] = [];
    const walk = (tree: object, at: string) => {
      for (const [key, value] of Object.entries(tree)) {
        if (typeof value === 'string') {
          if (!value.trim()) empty.push(`${at}${key}`);
        } else walk(value as object, `${at}${key}.`);
      }
    };
    walk(messages, '');
    expect(empty).toEqual([]);
  });
});
