import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { VolunteersRepository } from './volunteers.repository.js';

/*
 * The public entry of the literacy feature: the plugin, its ports, and what other features may ask.
 */
export { literacyPlugin, type LiteracyPluginOptions, type LiteracyDecorator } from './literacy.plugin.js';
export { IndexService, type FraudStat, type FraudStatsByRegionAge, type IndexEntry } from './index.service.js';
export { AREAS, AGE_GROUPS, SEXES, type Area, type AgeGroup, type Sex } from './items.js';

/**
 * Whether the person (by pseudonym, HMAC of the IIN) holds a volunteer's certificate of
 * completion: the fraud feature lets such volunteers file reports on a victim's behalf. Inside a
 * running app, `app.literacy.isTrainedVolunteer(personPseudonym)` is the same check.
 */
export function isTrainedVolunteer(db: Kysely<DB>, personPseudonym: Buffer): Promise<boolean> {
  return new VolunteersRepository(db).isTrained(personPseudonym);
}
