/**
 * Sign-in with an e-signature: challenges and sessions.
 * This file is the feature's public entry: code outside src/features/signin imports only this.
 */
export { SESSION_COOKIE, SessionStore, cookieValue, ownCaCertificateCheck } from './sessions.js';
export type { PersonPrincipal } from './sessions.js';
export { signinPlugin } from './signin.routes.js';
