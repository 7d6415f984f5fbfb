import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import type { CheckDecision, CreditChannel, CreditProduct } from './credit.tables.js';

export interface InquiryInsert {
  id: string;
  lenderBin: string;
  personHash: Buffer;
  product: CreditProduct;
  channel: CreditChannel;
  amount: number | null;
  decision: CheckDecision;
  restrictionIds: string[];
  checkedAt: Date;
}

export interface InquiryRow {
  id: string;
  lender_bin: string;
  product: CreditProduct;
  channel: CreditChannel;
  amount: string | null;
  decision: CheckDecision;
  restriction_ids: string[];
  checked_at: Date;
}

/** All SQL of lender checks (inquiries) and loan reports. */
export class CheckRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /**
   * One INSERT for a whole group commit of checks. Columns travel as arrays (unnest), so
   * the statement has nine parameters whatever the batch size (pseudonyms as hex: both drivers
   * pass text arrays the same way). The restriction ids of a
   * check travel as one text per check, split in SQL.
   */
  async insertBatch(db: Kysely<DB>, rows: InquiryInsert[]): Promise<void> {
    if (rows.length === 0) return;
    await sql`
      insert into credit_inquiries (id, lender_bin, person_hash, product, channel, amount, decision, restriction_ids, checked_at)
      select id, lender_bin, decode(person_hash, 'hex'), product, channel, amount, decision,
             case when ids = '' then '{}'::bigint[] else string_to_array(ids, ',')::bigint[] end, checked_at
      from unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.lenderBin)}::text[], ${rows.map((r) => r.personHash.toString('hex'))}::text[],
                  ${rows.map((r) => r.product)}::text[], ${rows.map((r) => r.channel)}::text[], ${rows.map((r) => r.amount)}::numeric[],
                  ${rows.map((r) => r.decision)}::text[], ${rows.map((r) => r.restrictionIds.join(','))}::text[],
                  ${rows.map((r) => r.checkedAt)}::timestamptz[])
           as t(id, lender_bin, person_hash, product, channel, amount, decision, ids, checked_at)`.execute(db);
  }

  async listOfLender(lenderBin: string, filter: { from?: string; to?: string; before?: string; decision?: CheckDecision; limit: number }): Promise<InquiryRow[]> {
    let q = this.db
      .selectFrom('credit_inquiries')
      .select(['id', 'lender_bin', 'product', 'channel', 'amount', 'decision', 'restriction_ids', 'checked_at'])
      .where('lender_bin', '=', lenderBin);
    if (filter.from) q = q.where('checked_at', '>=', new Date(filter.from));
    if (filter.to) q = q.where('checked_at', '<', new Date(filter.to));
    if (filter.before) q = q.where('checked_at', '<', new Date(filter.before));
    if (filter.decision) q = q.where('decision', '=', filter.decision);
    return q.orderBy('checked_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute() as Promise<InquiryRow[]>;
  }

  /** One check, only when it belongs to the lender asking. */
  async findOfLender(lenderBin: string, id: string): Promise<(InquiryRow & { person_hash: Buffer }) | undefined> {
    return this.db
      .selectFrom('credit_inquiries')
      .select(['id', 'lender_bin', 'person_hash', 'product', 'channel', 'amount', 'decision', 'restriction_ids', 'checked_at'])
      .where('id', '=', id)
      .where('lender_bin', '=', lenderBin)
      .executeTakeFirst() as Promise<(InquiryRow & { person_hash: Buffer }) | undefined>;
  }

  /** Every check of a person, newest first, with the lender's name and BIN. */
  async ofPerson(personHash: Buffer, limit: number) {
    return this.db
      .selectFrom('credit_inquiries as i')
      .leftJoin('lenders as l', 'l.bin', 'i.lender_bin')
      .select(['i.id', 'i.lender_bin', 'l.name as lender_name', 'i.product', 'i.channel', 'i.decision', 'i.checked_at'])
      .where('i.person_hash', '=', personHash)
      .orderBy('i.checked_at', 'desc')
      .orderBy('i.id', 'desc')
      .limit(limit)
      .execute();
  }

  async insertLoanReport(values: { id: string; checkId: string; lenderBin: string; personHash: Buffer; amount: number; issuedOn: string }) {
    return this.db
      .insertInto('credit_loan_reports')
      .values({ id: values.id, check_id: values.checkId, lender_bin: values.lenderBin, person_hash: values.personHash, amount: values.amount, issued_on: values.issuedOn })
      .onConflict((oc) => oc.column('check_id').doNothing())
      .returningAll()
      .executeTakeFirst();
  }

  async loanReportOfCheck(checkId: string) {
    return this.db.selectFrom('credit_loan_reports').selectAll().where('check_id', '=', checkId).executeTakeFirst();
  }
}
