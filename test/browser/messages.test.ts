import { describe, expect, it } from 'vitest';
import { en } from '../../web/src/i18n/en.js';
import { ru } from '../../web/src/i18n/ru.js';
import { kk } from '../../web/src/i18n/kk.js';
import { enPortalops } from '../../web/src/i18n/en.portalops.js';
import { ruPortalops } from '../../web/src/i18n/ru.portalops.js';
import { kkPortalops } from '../../web/src/i18n/kk.portalops.js';
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

/** The message files web/src/i18n/index.ts spreads together, per language. */
const SETS = {
  main: { en, ru, kk },
  portalops: { en: enPortalops, ru: ruPortalops, kk: kkPortalops },
  portalroles: { en: enPortalroles, ru: ruPortalroles, kk: kkPortalroles },
};

describe.each(Object.entries(SETS))('portal messages (%s)', (_set, languages) => {
  const reference = keys(languages.en);

  it.each([['ru', languages.ru], ['kk', languages.kk]] as const)('%s has every English key, no other, and the same placeholders', (_lang, messages) => {
    const theirs = keys(messages);
    expect([...reference.keys()].filter((k) => !theirs.has(k))).toEqual([]);
    expect([...theirs.keys()].filter((k) => !reference.has(k))).toEqual([]);
    for (const [key, placeholders] of reference) expect({ key, placeholders: theirs.get(key) }).toEqual({ key, placeholders });
  });

  it.each([['en', languages.en], ['ru', languages.ru], ['kk', languages.kk]] as const)('%s has no empty message', (_lang, messages) => {
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

describe('portal message files spread together', () => {
  it('take no top-level name of another file, so that spreading them loses nothing', () => {
    const names = Object.values(SETS).flatMap((set) => Object.keys(set.en));
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });
});
