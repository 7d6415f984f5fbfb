import { sql, type Kysely } from 'kysely';

/**
 * Organizations' e-signatures, the watch side: every use of a certificate the platform sees
 * (usage events), the alerts misuse rules raise from them, the violation cases inspectors open,
 * and the fine schedule of article 640 of the Code of Administrative Offences.
 *
 * Persons appear only as pseudonyms (HMAC-SHA-256 of the IIN, 32 bytes).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('usage_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('certificate_serial', 'text', (c) => c.notNull())
    .addColumn('certificate_issuer', 'text', (c) => c.notNull())
    .addColumn('person_hash', 'bytea', (c) => c.check(sql`octet_length(person_hash) = 32`))
    .addColumn('organization_bin', 'text')
    .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('signin','verify','sign','other')`))
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('accepted','refused')`))
    .addColumn('refusal', 'text')
    .addColumn('client_ip', 'text')
    // IPv4 /24 or IPv6 /48: two uses from one office network are not two networks.
    .addColumn('network', 'text')
    .addColumn('device_id', 'text')
    // When the document was signed, from its time stamp if it has one (rule 4).
    .addColumn('signed_at', 'timestamptz')
    .addColumn('signed_at_source', 'text')
    .addColumn('certificate_revoked_at', 'timestamptz')
    .addColumn('source', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('usage_events_certificate_idx').on('usage_events').columns(['certificate_serial', 'occurred_at']).execute();
  await db.schema.createIndex('usage_events_person_idx').on('usage_events').columns(['person_hash', 'occurred_at']).where(sql.ref('person_hash'), 'is not', null).execute();

  // Devices a certificate was used from, to tell its holder about a new one.
  await db.schema
    .createTable('usage_devices')
    .addColumn('certificate_serial', 'text', (c) => c.notNull())
    .addColumn('certificate_issuer', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('first_event_id', 'bigint', (c) => c.notNull())
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('usage_devices_pk', ['certificate_serial', 'certificate_issuer', 'device_id'])
    .execute();

  // Uses per local hour of day, per holder (or per certificate when the holder is unknown).
  await db.schema
    .createTable('usage_hour_profiles')
    .addColumn('holder_key', 'text', (c) => c.notNull())
    .addColumn('hour', 'smallint', (c) => c.notNull().check(sql`hour between 0 and 23`))
    .addColumn('uses', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('usage_hour_profiles_pk', ['holder_key', 'hour'])
    .execute();

  await db.schema
    .createTable('usage_alerts')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('organization_bin', 'text')
    .addColumn('person_hash', 'bytea', (c) => c.check(sql`octet_length(person_hash) = 32`))
    .addColumn('certificate_serial', 'text')
    .addColumn('certificate_issuer', 'text')
    .addColumn('evidence_event_ids', sql`bigint[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('score', 'real')
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('new').check(sql`status in ('new','escalated','dismissed')`))
    // One alert per finding: a rule seeing the same misuse again adds evidence, not alerts.
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('usage_alerts_org_idx').on('usage_alerts').columns(['organization_bin', 'created_at']).execute();
  await db.schema.createIndex('usage_alerts_rule_idx').on('usage_alerts').columns(['rule', 'created_at']).execute();

  // The schedule: MCI units per violation type and offender category, a minimum and a maximum.
  await db.schema
    .createTable('fine_schedule')
    .addColumn('violation_type', 'text', (c) => c.notNull())
    .addColumn('offender_category', 'text', (c) => c.notNull().check(sql`offender_category in ('individual','official','medium','large')`))
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('min_mci', 'numeric', (c) => c.notNull())
    .addColumn('max_mci', 'numeric', (c) => c.notNull())
    .addPrimaryKeyConstraint('fine_schedule_pk', ['violation_type', 'offender_category'])
    .addCheckConstraint('fine_schedule_range', sql`0 <= min_mci and min_mci <= max_mci`)
    .execute();
  // Article 640 (DESIGN.md): part 5 passing one's own e-signature, part 6 using another's.
  const defaults: [string, string, number[]][] = [
    ['art640-5', "Passing one's own e-signature to another person (CoAO art. 640 part 5)", [10, 15, 30, 150]],
    ['art640-6', "Using another person's e-signature (CoAO art. 640 part 6)", [50, 100, 150, 200]],
  ];
  const categories = ['individual', 'official', 'medium', 'large'];
  await db
    .insertInto('fine_schedule')
    .values(defaults.flatMap(([type, description, mci]) => categories.map((category, i) => ({ violation_type: type, offender_category: category, description, min_mci: mci[i], max_mci: mci[i] }))))
    .execute();

  await db.schema
    .createTable('violation_cases')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('alert_id', 'uuid', (c) => c.references('usage_alerts.id'))
    .addColumn('organization_bin', 'text', (c) => c.notNull())
    .addColumn('person_hash', 'bytea', (c) => c.check(sql`octet_length(person_hash) = 32`))
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('violation_type', 'text', (c) => c.notNull())
    .addColumn('offender_category', 'text', (c) => c.notNull())
    .addColumn('evidence_event_ids', sql`bigint[]`, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open','fined','appealed','closed')`))
    .addColumn('decision', 'text')
    .addColumn('fine_mci', 'numeric')
    .addColumn('fine_year', 'integer')
    .addColumn('fine_tenge', 'numeric')
    .addColumn('opened_by', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addForeignKeyConstraint('violation_cases_schedule_fk', ['violation_type', 'offender_category'], 'fine_schedule', ['violation_type', 'offender_category'])
    .execute();
  await db.schema.createIndex('violation_cases_alert_idx').on('violation_cases').column('alert_id').unique().where(sql.ref('alert_id'), 'is not', null).execute();
  await db.schema.createIndex('violation_cases_opened_idx').on('violation_cases').columns(['opened_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['violation_cases', 'fine_schedule', 'usage_alerts', 'usage_hour_profiles', 'usage_devices', 'usage_events']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
