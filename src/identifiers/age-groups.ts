/**
 * Age groups shared by every feature that counts people by age: the literacy index weights its
 * results by them, and fraud reports may carry the victim's group, so that the two can be joined
 * by region and age group. One list, so a join never silently misses a group spelled differently.
 */
export const AGE_GROUPS = ['15-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;
export type AgeGroup = (typeof AGE_GROUPS)[number];
