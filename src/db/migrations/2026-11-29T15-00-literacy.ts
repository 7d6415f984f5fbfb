import { sql, type Kysely } from 'kysely';

/*
 * Digital literacy: the question bank by version, assessments and their results, the
 * population table the index is weighted with, centers with sessions, and volunteers.
 * The default population table is approximate (see docs/literacy.md) and replaceable.
 */

/** Residents by region, thousands, start of 2024 (rounded; approximate). */
const REGION_POPULATION_THOUSANDS: [string, number][] = [
  ['almaty-city', 2229], ['astana', 1424], ['shymkent', 1222], ['abai', 603], ['akmola', 786],
  ['aktobe', 931], ['almaty-region', 1527], ['atyrau', 701], ['east-kazakhstan', 728], ['zhambyl', 1215],
  ['zhetisu', 697], ['west-kazakhstan', 692], ['karaganda', 1131], ['kostanay', 823], ['kyzylorda', 830],
  ['mangystau', 790], ['pavlodar', 751], ['north-kazakhstan', 530], ['turkistan', 2151], ['ulytau', 221],
];

/** Share of the population aged 15+ in each age group, and the female share in it (approximate, national). */
const AGE_GROUPS: [string, number, number][] = [
  ['15-24', 0.17, 0.49],
  ['25-34', 0.22, 0.5],
  ['35-44', 0.2, 0.51],
  ['45-54', 0.15, 0.52],
  ['55-64', 0.13, 0.55],
  ['65+', 0.13, 0.62],
];

/** Share of residents aged 15 and over. */
const ADULT_SHARE = 0.71;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('literacy_bank_versions')
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('draft', 'published')`))
    .addColumn('based_on', 'integer', (c) => c.references('literacy_bank_versions.version'))
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('published_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('literacy_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull().references('literacy_bank_versions.version'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('area', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('difficulty', 'smallint', (c) => c.notNull().check(sql`difficulty between 1 and 3`))
    .addColumn('content', 'jsonb', (c) => c.notNull())
    .addColumn('solution', 'jsonb', (c) => c.notNull())
    .addColumn('review_status', 'text', (c) => c.notNull().defaultTo('pending').check(sql`review_status in ('pending', 'approved', 'rejected')`))
    .addColumn('review_note', 'text')
    .addColumn('reviewed_by', 'text')
    .addColumn('retired_at', 'timestamptz')
    .addUniqueConstraint('literacy_items_version_key', ['version', 'key'])
    .execute();

  await db.schema
    .createTable('literacy_assessments')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull().references('literacy_bank_versions.version'))
    .addColumn('person_hash', 'bytea')
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('age_group', 'text', (c) => c.notNull())
    .addColumn('sex', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('item_ids', sql`text[]`, (c) => c.notNull())
    .addColumn('latitude', 'double precision')
    .addColumn('longitude', 'double precision')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('submitted_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('literacy_answers')
    .addColumn('assessment_id', 'uuid', (c) => c.notNull().references('literacy_assessments.id'))
    .addColumn('item_id', 'text', (c) => c.notNull().references('literacy_items.id'))
    .addColumn('answer', 'jsonb', (c) => c.notNull())
    .addColumn('credit', 'real', (c) => c.notNull())
    .addPrimaryKeyConstraint('literacy_answers_pkey', ['assessment_id', 'item_id'])
    .execute();
  await db.schema.createIndex('literacy_answers_item').on('literacy_answers').column('item_id').execute();

  // One row per submitted assessment, wide so the index is one pass over it.
  await db.schema
    .createTable('literacy_results')
    .addColumn('assessment_id', 'uuid', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull().references('literacy_bank_versions.version'))
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('age_group', 'text', (c) => c.notNull())
    .addColumn('sex', 'text', (c) => c.notNull())
    .addColumn('person_hash', 'bytea')
    .addColumn('information', 'real', (c) => c.notNull())
    .addColumn('communication', 'real', (c) => c.notNull())
    .addColumn('content_creation', 'real', (c) => c.notNull())
    .addColumn('safety', 'real', (c) => c.notNull())
    .addColumn('problem_solving', 'real', (c) => c.notNull())
    .addColumn('score', 'real', (c) => c.notNull())
    .addColumn('all_basic', 'boolean', (c) => c.notNull())
    .addColumn('scam_resistance', 'real', (c) => c.notNull())
    .addColumn('submitted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('literacy_results_cell').on('literacy_results').columns(['period', 'region', 'age_group', 'sex']).execute();
  await db.schema.createIndex('literacy_results_person').on('literacy_results').columns(['person_hash', 'submitted_at']).where('person_hash', 'is not', null).execute();

  await db.schema
    .createTable('literacy_population')
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('age_group', 'text', (c) => c.notNull())
    .addColumn('sex', 'text', (c) => c.notNull())
    .addColumn('population', 'bigint', (c) => c.notNull().check(sql`population >= 0`))
    .addColumn('source', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('literacy_population_pkey', ['region', 'age_group', 'sex'])
    .execute();
  const regions = REGION_POPULATION_THOUSANDS.map(([r, t]) => sql`(${r}, ${t}::numeric)`);
  const ages = AGE_GROUPS.map(([a, share, female]) => sql`(${a}, ${share}::numeric, ${female}::numeric)`);
  await sql`
    insert into literacy_population (region, age_group, sex, population, source)
    select r.region, a.age_group, s.sex,
           round(r.thousands * 1000 * ${ADULT_SHARE}::numeric * a.share * case s.sex when 'female' then a.female else 1 - a.female end)::bigint,
           'default: approximate, regional totals 2024 x national age and sex shares'
    from (values ${sql.join(regions)}) as r(region, thousands)
    cross join (values ${sql.join(ages)}) as a(age_group, share, female)
    cross join (values ('female'), ('male')) as s(sex)
  `.execute(db);

  await db.schema
    .createTable('literacy_centers')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('latitude', 'double precision', (c) => c.notNull())
    .addColumn('longitude', 'double precision', (c) => c.notNull())
    .addColumn('schedule', 'text', (c) => c.notNull())
    .addColumn('capacity', 'integer', (c) => c.notNull())
    .addColumn('accessibility', sql`text[]`, (c) => c.notNull())
    .addColumn('languages', sql`text[]`, (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('literacy_centers_region').on('literacy_centers').column('region').execute();

  await db.schema
    .createTable('literacy_sessions')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('center_id', 'uuid', (c) => c.notNull().references('literacy_centers.id'))
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('capacity', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('literacy_enrolments')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('session_id', 'uuid', (c) => c.notNull().references('literacy_sessions.id'))
    .addColumn('person_hash', 'bytea', (c) => c.notNull())
    .addColumn('enrolled_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('attended', 'boolean')
    .addUniqueConstraint('literacy_enrolments_once', ['session_id', 'person_hash'])
    .execute();

  await db.schema
    .createTable('literacy_volunteers')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('person_hash', 'bytea', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('languages', sql`text[]`, (c) => c.notNull())
    .addColumn('motivation', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('literacy_volunteer_modules')
    .addColumn('volunteer_id', 'uuid', (c) => c.notNull().references('literacy_volunteers.id'))
    .addColumn('module', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('literacy_volunteer_modules_pkey', ['volunteer_id', 'module'])
    .execute();

  await db.schema
    .createTable('literacy_volunteer_certificates')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('volunteer_id', 'uuid', (c) => c.notNull().references('literacy_volunteers.id'))
    .addColumn('assessment_id', 'uuid', (c) => c.notNull().references('literacy_results.assessment_id'))
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('cms', 'bytea', (c) => c.notNull())
    .addColumn('issued_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('literacy_volunteer_certificates_volunteer').on('literacy_volunteer_certificates').column('volunteer_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'literacy_volunteer_certificates',
    'literacy_volunteer_modules',
    'literacy_volunteers',
    'literacy_enrolments',
    'literacy_sessions',
    'literacy_centers',
    'literacy_population',
    'literacy_results',
    'literacy_answers',
    'literacy_assessments',
    'literacy_items',
    'literacy_bank_versions',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
