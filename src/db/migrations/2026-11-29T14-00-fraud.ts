import { sql, type Kysely } from 'kysely';

/**
 * Online-fraud reports and their linking into clusters (issue 11).
 *
 * Linking is a persistent union-find kept by relabelling: every report and every linked
 * identifier points at its cluster's root, and when clusters join the smaller one is
 * relabelled into the larger (union by size), so no table of report pairs ever exists.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('fraud_clusters')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('merged_into', 'bigint')
    .addColumn('report_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total_loss_kzt', sql`numeric(20,2)`, (c) => c.notNull().defaultTo(0))
    .addColumn('first_at', 'timestamptz')
    .addColumn('last_at', 'timestamptz')
    .addColumn('regions', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open').check(sql`status in ('open','under_investigation','solved','closed')`))
    .addColumn('assignee', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index fraud_clusters_losses on fraud_clusters (total_loss_kzt desc, id) where merged_into is null and report_count > 1`.execute(db);

  await db.schema
    .createTable('fraud_reports')
    .addColumn('seq', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('id', 'uuid', (c) => c.notNull().unique())
    .addColumn('tracking_hash', 'bytea', (c) => c.notNull())
    .addColumn('reporter_kind', 'text', (c) => c.notNull().check(sql`reporter_kind in ('victim','anonymous','volunteer')`))
    .addColumn('victim_hash', 'bytea')
    .addColumn('volunteer_hash', 'bytea')
    .addColumn('contact', 'text')
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('scheme', 'text', (c) => c.notNull())
    .addColumn('amount', sql`numeric(20,2)`, (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull().check(sql`currency ~ '^[A-Z]{3,4}$'`))
    .addColumn('loss_kzt', sql`numeric(20,2)`, (c) => c.notNull())
    .addColumn('payment_method', 'text', (c) => c.notNull())
    .addColumn('narrative', 'text', (c) => c.notNull().check(sql`length(narrative) <= 10000`))
    .addColumn('signed_document_id', 'uuid')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('received').check(sql`status in ('received','linked','under_investigation','solved','closed')`))
    .addColumn('status_changed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('cluster_id', 'bigint')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index fraud_reports_cluster on fraud_reports (cluster_id)`.execute(db);
  await sql`create index fraud_reports_received on fraud_reports (cluster_id) where status = 'received'`.execute(db);
  await sql`create index fraud_reports_victim on fraud_reports (victim_hash) where victim_hash is not null`.execute(db);
  await sql`create index fraud_reports_received_at on fraud_reports (received_at)`.execute(db);

  await db.schema
    .createTable('fraud_identifiers')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('phone','card','iban','domain','handle','wallet')`))
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('display', 'text', (c) => c.notNull())
    .addColumn('country', 'text')
    .addColumn('report_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total_loss_kzt', sql`numeric(20,2)`, (c) => c.notNull().defaultTo(0))
    .addColumn('first_seen', 'timestamptz')
    .addColumn('last_seen', 'timestamptz')
    .addColumn('over_correlating_at', 'timestamptz')
    .addColumn('cleared_at', 'timestamptz')
    .addColumn('cluster_id', 'bigint')
    .addUniqueConstraint('fraud_identifiers_kind_value', ['kind', 'value'])
    .execute();
  await sql`create index fraud_identifiers_cluster on fraud_identifiers (cluster_id) where cluster_id is not null`.execute(db);

  // A report's identifiers, with why each does or does not link: the reasons investigators see.
  await db.schema
    .createTable('fraud_report_identifiers')
    .addColumn('report_seq', 'bigint', (c) => c.notNull().references('fraud_reports.seq'))
    .addColumn('identifier_id', 'bigint', (c) => c.notNull().references('fraud_identifiers.id'))
    .addColumn('as_reported', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('linked','warning','over_correlating','cleared','undone')`))
    .addColumn('state_reason', 'text')
    .addPrimaryKeyConstraint('fraud_report_identifiers_pkey', ['report_seq', 'identifier_id'])
    .execute();
  await sql`create index fraud_report_identifiers_identifier on fraud_report_identifiers (identifier_id)`.execute(db);

  await db.schema
    .createTable('fraud_manual_links')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('report_a', 'bigint', (c) => c.notNull())
    .addColumn('report_b', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('undone_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('fraud_cluster_notes')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('cluster_id', 'bigint', (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('fraud_access_log')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('detail', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();

  await db.schema
    .createTable('fraud_attachments')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('report_seq', 'bigint', (c) => c.notNull().references('fraud_reports.seq'))
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('content', 'bytea', (c) => c.notNull())
    .execute();
  await sql`create index fraud_attachments_report on fraud_attachments (report_seq)`.execute(db);

  await db.schema
    .createTable('fraud_warning_list')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('display', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('added_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('fraud_warning_list_pkey', ['kind', 'value'])
    .execute();

  await db.schema
    .createTable('fraud_appeals')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tracking_hash', 'bytea', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('display', 'text', (c) => c.notNull())
    .addColumn('contact', 'text', (c) => c.notNull())
    .addColumn('statement', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(sql`status in ('pending','upheld','rejected')`))
    .addColumn('answer', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('fraud_volunteers')
    .addColumn('person_hash', 'bytea', (c) => c.primaryKey())
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addColumn('added_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Counters per look-up key and minute, shared by every API instance; split into a few shards
  // so that concurrent look-ups of one key do not all queue on one row's lock.
  await db.schema
    .createTable('fraud_lookup_counters')
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('window_start', 'timestamptz', (c) => c.notNull())
    .addColumn('shard', 'smallint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('fraud_lookup_counters_pkey', ['key_id', 'window_start', 'shard'])
    .execute();
  await db.schema
    .createTable('fraud_lookups')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('found', 'boolean', (c) => c.notNull())
    .execute();

  // The number of reports, for the over-correlation share without counting a million rows.
  await db.schema
    .createTable('fraud_totals')
    .addColumn('id', 'smallint', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('report_count', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into fraud_totals (id, report_count) values (1, 0)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'fraud_totals',
    'fraud_lookups',
    'fraud_lookup_counters',
    'fraud_volunteers',
    'fraud_appeals',
    'fraud_warning_list',
    'fraud_attachments',
    'fraud_access_log',
    'fraud_cluster_notes',
    'fraud_manual_links',
    'fraud_report_identifiers',
    'fraud_identifiers',
    'fraud_reports',
    'fraud_clusters',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
