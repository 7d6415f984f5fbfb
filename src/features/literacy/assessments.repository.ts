import type { Insertable, Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/types.js';
import type { LiteracyAnswersTable, LiteracyAssessmentsTable, LiteracyResultsTable } from './literacy.tables.js';

/** The SQL of assessments: started, submitted once, and their results. */
export class AssessmentsRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(row: Insertable<LiteracyAssessmentsTable>): Promise<void> {
    await this.db.insertInto('literacy_assessments').values(row).execute();
  }

  find(id: string) {
    return this.db.selectFrom('literacy_assessments').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Marks the assessment submitted; false when it already was. The update is the lock: of two
   * concurrent submissions only one sees a row, so a result is written once.
   */
  async markSubmitted(id: string, at: Date, trx: Transaction<DB>): Promise<boolean> {
    const r = await trx.updateTable('literacy_assessments').set({ submitted_at: at }).where('id', '=', id).where('submitted_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async insertAnswers(rows: Insertable<LiteracyAnswersTable>[], trx: Transaction<DB>): Promise<void> {
    if (rows.length) await trx.insertInto('literacy_answers').values(rows).execute();
  }

  async insertResult(row: Insertable<LiteracyResultsTable>, trx: Transaction<DB>): Promise<void> {
    await trx.insertInto('literacy_results').values(row).execute();
  }

  answers(assessmentId: string) {
    return this.db.selectFrom('literacy_answers').select(['item_id', 'answer', 'credit']).where('assessment_id', '=', assessmentId).execute();
  }

  result(assessmentId: string) {
    return this.db.selectFrom('literacy_results').selectAll().where('assessment_id', '=', assessmentId).executeTakeFirst();
  }

  /** The person's best result, the one a volunteer's certificate rests on. */
  bestResultOf(personHash: Buffer) {
    return this.db
      .selectFrom('literacy_results')
      .selectAll()
      .where('person_hash', '=', personHash)
      .orderBy('score', 'desc')
      .orderBy('submitted_at', 'desc')
      .limit(1)
      .executeTakeFirst();
  }
}
