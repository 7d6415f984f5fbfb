import { Type, type Static } from '@sinclair/typebox';
import { TerminationView } from './employees.schema.js';

export const StaffListJson = Type.Object(
  {
    staff: Type.Array(
      Type.Object({ iin: Type.String({ maxLength: 32 }), position: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: true }),
      { maxItems: 500_000, description: 'Everyone currently employed, one entry each' },
    ),
  },
  { additionalProperties: false },
);
export type StaffListJsonInput = Static<typeof StaffListJson>;

/** JSON `{ staff: [{ iin }] }`, or CSV (text/csv) with a header row naming an `iin` column (`,` or `;` separated). */
export const StaffSyncBody = Type.Union([StaffListJson, Type.String({ description: 'CSV (text/csv) with an "iin" column' })]);

export const StaffSyncQuery = Type.Object({
  confirm: Type.Optional(Type.Boolean({ default: false, description: 'false: a dry run that changes nothing; true: terminate those not in the list' })),
  expectTerminations: Type.Optional(Type.Integer({ minimum: 0, description: 'With confirm: refuse (409) unless exactly this many would be terminated (what the dry run showed)' })),
});

export const StaffSyncResult = Type.Object({
  dryRun: Type.Boolean(),
  listed: Type.Integer({ description: 'Distinct IINs in the uploaded list' }),
  wouldTerminate: Type.Array(Type.Object({ iin: Type.String(), position: Type.String() }), { description: 'Dry run: currently employed, absent from the list' }),
  terminated: Type.Array(TerminationView, { description: 'Confirmed: employments ended and certificates revoked' }),
  notRecorded: Type.Array(Type.String(), { description: 'Listed IINs with no current employment record here: record them with PUT' }),
});
export type StaffSyncResultType = Static<typeof StaffSyncResult>;
