import { AppError } from './app-error.js';

/**
 * The refusal a session opened with an employee certificate gets on a person's own matters
 * (restrictions, lifts, contacts, signed documents, breaches, inquiries, personal certificates):
 * it acts for the organization, and the person's protection needs their personal certificate.
 */
export const personalSessionRequired = (what: string) =>
  AppError.forbidden(
    'PERSONAL_SESSION_REQUIRED',
    `You signed in with an employee certificate, which acts for your organization. To ${what}, sign in with your personal (individual) certificate.`,
  );
