import type { ColumnType, Generated } from 'kysely';
import type { Timestamp, TimestampDefault } from '../../db/types.js';

type Json<T> = ColumnType<T, string, string>;

export interface LiteracyBankVersionsTable {
  version: number;
  status: 'draft' | 'published';
  based_on: number | null;
  note: ColumnType<string, string | undefined, string>;
  created_by: string;
  created_at: TimestampDefault;
  published_at: Timestamp | null;
}

export interface LiteracyItemsTable {
  /** "<key>@<version>": an item id names the version it belongs to. */
  id: string;
  version: number;
  key: string;
  area: string;
  type: string;
  difficulty: number;
  content: Json<unknown>;
  solution: Json<unknown>;
  review_status: ColumnType<'pending' | 'approved' | 'rejected', 'pending' | 'approved' | 'rejected' | undefined, 'pending' | 'approved' | 'rejected'>;
  review_note: string | null;
  reviewed_by: string | null;
  retired_at: Timestamp | null;
}

export interface LiteracyAssessmentsTable {
  id: string;
  version: number;
  person_hash: Buffer | null;
  region: string;
  age_group: string;
  sex: string;
  language: string;
  item_ids: string[];
  latitude: number | null;
  longitude: number | null;
  started_at: TimestampDefault;
  submitted_at: Timestamp | null;
}

export interface LiteracyAnswersTable {
  assessment_id: string;
  item_id: string;
  answer: Json<unknown>;
  credit: number;
}

export interface LiteracyResultsTable {
  assessment_id: string;
  version: number;
  period: string;
  region: string;
  age_group: string;
  sex: string;
  person_hash: Buffer | null;
  information: number;
  communication: number;
  content_creation: number;
  safety: number;
  problem_solving: number;
  score: number;
  all_basic: boolean;
  scam_resistance: number;
  submitted_at: TimestampDefault;
}

export interface LiteracyPopulationTable {
  region: string;
  age_group: string;
  sex: string;
  population: ColumnType<string, number | string, number | string>;
  source: string;
}

export interface LiteracyCentersTable {
  id: string;
  name: string;
  region: string;
  address: string;
  latitude: number;
  longitude: number;
  schedule: string;
  capacity: number;
  accessibility: string[];
  languages: string[];
  created_at: TimestampDefault;
}

export interface LiteracySessionsTable {
  id: string;
  center_id: string;
  topic: string;
  language: string;
  starts_at: Timestamp;
  capacity: number;
}

export interface LiteracyEnrolmentsTable {
  id: string;
  session_id: string;
  person_hash: Buffer;
  enrolled_at: TimestampDefault;
  attended: boolean | null;
}

export interface LiteracyVolunteersTable {
  id: string;
  person_hash: Buffer;
  display_name: string;
  region: string;
  languages: string[];
  motivation: string;
  applied_at: TimestampDefault;
}

export interface LiteracyVolunteerModulesTable {
  volunteer_id: string;
  module: string;
  completed_at: TimestampDefault;
  recorded_by: string;
}

export interface LiteracyVolunteerCertificatesTable {
  id: string;
  volunteer_id: string;
  assessment_id: string;
  document: string;
  cms: Buffer;
  issued_at: TimestampDefault;
}

export interface LiteracyTables {
  literacy_bank_versions: LiteracyBankVersionsTable;
  literacy_items: LiteracyItemsTable;
  literacy_assessments: LiteracyAssessmentsTable;
  literacy_answers: LiteracyAnswersTable;
  literacy_results: LiteracyResultsTable;
  literacy_population: LiteracyPopulationTable;
  literacy_centers: LiteracyCentersTable;
  literacy_sessions: LiteracySessionsTable;
  literacy_enrolments: LiteracyEnrolmentsTable;
  literacy_volunteers: LiteracyVolunteersTable;
  literacy_volunteer_modules: LiteracyVolunteerModulesTable;
  literacy_volunteer_certificates: LiteracyVolunteerCertificatesTable;
}

export type { Generated };
