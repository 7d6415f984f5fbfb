import { sql, type Kysely } from 'kysely';

/**
 * Loan amounts are finite tenge. PostgreSQL's numeric also holds Infinity and NaN, which a
 * request once stored (`"amount": "1e309"`); the API now refuses them, and the table too.
 * An inquiry's infinite amount said nothing about the loan, so it becomes unknown (null);
 * a loan report's amount is evidence and is left as it was (the constraint holds for new rows).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`update credit_inquiries set amount = null where amount in ('Infinity', '-Infinity', 'NaN')`.execute(db);
  await sql`alter table credit_inquiries add constraint credit_inquiries_amount_finite check (amount between 0 and 1e15)`.execute(db);
  await sql`alter table credit_loan_reports add constraint credit_loan_reports_amount_finite check (amount <= 1e15) not valid`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table credit_loan_reports drop constraint credit_loan_reports_amount_finite`.execute(db);
  await sql`alter table credit_inquiries drop constraint credit_inquiries_amount_finite`.execute(db);
}
