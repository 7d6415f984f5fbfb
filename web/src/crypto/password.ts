/**
 * The .p12 password rule of the CLI (src/client/password-strength.ts): at least 12 characters
 * and zxcvbn score 3, with the person's own IIN, names and document number counted as
 * guessable. zxcvbn and its dictionaries load only when this screen first needs them.
 */
export const MIN_PASSWORD_LENGTH = 12;
export const MIN_PASSWORD_SCORE = 3;

export interface PasswordVerdict {
  ok: boolean;
  tooShort: boolean;
  tooGuessable: boolean;
  score: number;
}

let ready: Promise<typeof import('@zxcvbn-ts/core')> | null = null;
function load() {
  ready ??= (async () => {
    const [core, common, en] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common'), import('@zxcvbn-ts/language-en')]);
    core.zxcvbnOptions.setOptions({ dictionary: { ...common.dictionary, ...en.dictionary }, graphs: common.adjacencyGraphs, translations: en.translations });
    return core;
  })();
  return ready;
}

export async function judgePassword(password: string, personal: string[]): Promise<PasswordVerdict> {
  const { zxcvbn } = await load();
  const score = zxcvbn(password, personal.filter(Boolean)).score;
  const tooShort = [...password].length < MIN_PASSWORD_LENGTH;
  const tooGuessable = score < MIN_PASSWORD_SCORE;
  return { ok: !tooShort && !tooGuessable, tooShort, tooGuessable, score };
}
