import { parseSignedData } from '../../pkix/signed-data-parser.js';

/** The content a CMS signs, as text (to compare evidence with what was signed). */
export function signedDataContent(cms: Buffer): string {
  return parseSignedData(cms).eContent!.toString('utf8');
}
