import { sql, type RawBuilder } from 'kysely';

/**
 * The condition under which a lift makes restriction `r` (the alias of `restrictions`) not
 * apply at `at` for the lender `lenderBin` (null: no lender asks, as in the person's own view,
 * so a thaw for one lender does not count). A lift covers its restriction, or, without one,
 * every restriction the person had when asking: a breach published during a thaw is not thawed.
 * Cancelled lifts and lifts still in their cooling-off do not apply.
 */
export function liftCondition(at: RawBuilder<Date> | Date, lenderBin: RawBuilder<string | null> | string | null): RawBuilder<boolean> {
  return sql<boolean>`exists (
    select 1 from restriction_lifts l
    where l.person_hash = r.person_hash
      and (l.restriction_id = r.id or (l.restriction_id is null and r.created_at <= l.requested_at))
      and l.cancelled_at is null
      and l.effective_at <= ${at}
      and (l.lifted_until is null or l.lifted_until > ${at})
      and (l.lender_bin is null or l.lender_bin = ${lenderBin}::text))`;
}
