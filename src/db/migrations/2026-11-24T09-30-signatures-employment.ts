import { sql, type Kysely } from 'kysely';

/**
 * Organizations enrolled for employee e-signatures, their employment records (the employee IIN
 * in the clear: the organization's own records, DESIGN.md) and their HR systems' API credentials.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('enrolled_organizations')
    .addColumn('bin', 'text', (c) => c.primaryKey().check(sql`bin ~ '^[0-9]{12}$'`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('enrolled_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('enrolled_by', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('employments')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('bin', 'text', (c) => c.notNull().references('enrolled_organizations.bin'))
    .addColumn('iin', 'text', (c) => c.notNull().check(sql`iin ~ '^[0-9]{12}$'`))
    .addColumn('surname', 'text')
    .addColumn('given_name', 'text')
    .addColumn('patronymic', 'text')
    .addColumn('position', 'text', (c) => c.notNull())
    .addColumn('may_sign', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('may_sign_financial', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('hr', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ended_at', 'timestamptz')
    .addColumn('end_reason', 'text')
    .addColumn('ended_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('employments_period_chk', sql`ended_at is null or ended_at >= started_at`)
    .execute();
  // One record per spell of employment; a re-hire starts a new one.
  await db.schema.createIndex('employments_bin_iin_idx').on('employments').columns(['bin', 'iin', 'started_at']).unique().execute();
  // A person's employments across organizations (holder self-service, misuse rules).
  await db.schema.createIndex('employments_iin_idx').on('employments').column('iin').execute();
  // Ended employments, for the compliance rule (unrevoked certificates 24 hours after the end).
  await db.schema.createIndex('employments_ended_idx').on('employments').column('ended_at').where(sql.ref('ended_at'), 'is not', null).execute();

  await db.schema
    .createTable('org_api_credentials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('bin', 'text', (c) => c.notNull().references('enrolled_organizations.bin'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'bytea', (c) => c.notNull().check(sql`octet_length(secret_hash) = 32`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('last_used_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('org_api_credentials_bin_idx').on('org_api_credentials').column('bin').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['org_api_credentials', 'employments', 'enrolled_organizations']) {
    await db.schema.dropTable(t).execute();
  }
}
