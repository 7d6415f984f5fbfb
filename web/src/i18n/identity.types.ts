import type { identityEn } from './identity.en.js';

type Widen<T> = { [K in keyof T]: T[K] extends string ? string : Widen<T[K]> };
/** The shape every language's identity messages must have: English's keys. */
export type IdentityMessages = Widen<typeof identityEn>;
