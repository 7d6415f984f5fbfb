import { Type, type Static } from '@sinclair/typebox';

const Csr = (what: string) =>
  Type.String({ minLength: 16, maxLength: 24_000, description: `PKCS#10 CSR of the ${what} key: PEM or base64 DER. Its subject carries serialNumber=IIN<iin>.` });

export const ApplicationCreate = Type.Object(
  {
    iin: Type.String({ description: 'The applicant\'s IIN (12 digits)' }),
    idDocumentNumber: Type.String({ minLength: 1, maxLength: 32, description: 'Number of the ID card or passport used for identity proofing' }),
    surname: Type.String({ minLength: 1, maxLength: 100 }),
    givenName: Type.String({ minLength: 1, maxLength: 100 }),
    patronymic: Type.Optional(Type.String({ maxLength: 100 })),
    holder: Type.Optional(Type.Union([Type.Literal('individual'), Type.Literal('employee')], { default: 'individual' })),
    organization: Type.Optional(Type.String({ minLength: 1, maxLength: 300, description: 'Employee certificates: the organization name' })),
    bin: Type.Optional(Type.String({ description: 'Employee certificates: the organization BIN' })),
    registrationExtract: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description:
          "A company head's application for the first-head role (.2.1): the number of the organization's registration extract from the business registry (6 to 40 letters, digits or -). " +
          'A CA operator checks in the registry that it names you as the head of the BIN; each number is accepted for one application.',
      }),
    ),
    authCsr: Csr('authentication (AUTH)'),
    signCsr: Csr('signing (SIGN)'),
  },
  { additionalProperties: false },
);
export type ApplicationCreateInput = Static<typeof ApplicationCreate>;

export const ApplicationParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
export const CertificateKindParams = Type.Object({ id: Type.String({ maxLength: 64 }), kind: Type.Union([Type.Literal('auth'), Type.Literal('sign')]) });
export const CertificateFormatQuery = Type.Object({ format: Type.Optional(Type.Union([Type.Literal('der'), Type.Literal('pem')], { default: 'der' })) });

export const IssuedCertificateView = Type.Object({
  kind: Type.Union([Type.Literal('auth'), Type.Literal('sign')]),
  profile: Type.String(),
  serial: Type.String(),
  notBefore: Type.String({ format: 'date-time' }),
  notAfter: Type.String({ format: 'date-time' }),
  revoked: Type.Boolean(),
  url: Type.String({ description: 'Download (DER; add ?format=pem for PEM)' }),
});

/** What the applicant sees: the status, never the IIN or the CSRs. */
export const ApplicationView = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal('pending_review'), Type.Literal('rejected'), Type.Literal('issued')]),
  captured: Type.Boolean({ description: 'The live capture and ID photo of remote proofing were received' }),
  holder: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  decidedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  reviewReason: Type.Union([Type.String(), Type.Null()]),
  decisionReason: Type.Union([Type.String(), Type.Null()]),
  proofingMethod: Type.Union([Type.String(), Type.Null()]),
  pairId: Type.Union([Type.String(), Type.Null()]),
  roles: Type.Union([Type.Array(Type.String()), Type.Null()], { description: "A head's application: the roles its pair carries once the headship is proven; null otherwise" }),
  headship: Type.Union([Type.Literal('registration-extract'), Type.Literal('certificate'), Type.Null()], {
    description: "A head's application: how the headship is proven (the registry extract an operator checks, or a trusted certificate already carrying the first-head role)",
  }),
  certificates: Type.Array(IssuedCertificateView),
  captureSecret: Type.Optional(
    Type.String({
      description:
        'Returned once, by the submission of an application that waits for review: the secret the live capture and its challenge need (header Qorgau-Capture-Secret), so that only the applicant\'s browser gives the pictures. The server keeps only its SHA-256.',
    }),
  ),
});
export type ApplicationViewType = Static<typeof ApplicationView>;

/** What a CA operator sees in the queue: enough to check the applicant's identity. */
export const ReviewItem = Type.Object({
  id: Type.String(),
  holder: Type.String(),
  iin: Type.String(),
  idDocumentNumber: Type.Union([Type.String(), Type.Null()], { description: 'null when the applicant signed the application with their own certificate' }),
  surname: Type.String(),
  givenName: Type.String(),
  patronymic: Type.Union([Type.String(), Type.Null()]),
  organization: Type.Union([Type.String(), Type.Null()]),
  bin: Type.Union([Type.String(), Type.Null()]),
  reviewReason: Type.Union([Type.String(), Type.Null()]),
  registrationExtract: Type.Union([Type.String(), Type.Null()], { description: "A head's application: the extract number to check in the business registry (it must name this IIN as the first head of this BIN)" }),
  identityProven: Type.Boolean({ description: 'true when the applicant signed the application with their own trusted certificate (only the headship is left to check)' }),
  createdAt: Type.String({ format: 'date-time' }),
  capture: Type.Union([
    Type.Object({
      capturedAt: Type.String({ format: 'date-time' }),
      faceMatchScore: Type.Union([Type.Number(), Type.Null()], { description: '0 to 1, from the face-match provider' }),
      faceMatchProvider: Type.Union([Type.String(), Type.Null()]),
      testDouble: Type.Boolean({ description: 'true: the score comes from the stand-in that compares nothing (no face-match service is connected)' }),
    }),
    Type.Null(),
  ], { description: 'null: the applicant has not given the live capture and ID photo yet' }),
});
export const ReviewQueue = Type.Object({ items: Type.Array(ReviewItem) });
export const ReviewQueueQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) });

export const SignedApplication = Type.Object(
  {
    application: Type.String({
      minLength: 16,
      maxLength: 96_000,
      description:
        'CMS SignedData (base64 or PEM, content attached) made with your own individual AUTH certificate (Qorgau\'s or the national CA\'s) over the canonical JSON ' +
        '{"action":"employee-certificate.apply","authCsr":"<base64 DER>","bin":"<BIN>","iin":"<your IIN>","issuedAt":"<now, ISO 8601>","nonce":"<random>","signCsr":"<base64 DER>"}. ' +
        'A company head applies for the first-head pair with the action "head-certificate.apply" and the organization\'s name ("organization"), signed either with a trusted ' +
        'employee AUTH certificate that already carries the first-head role (.2.1) for the BIN (issued at once), or with their individual AUTH certificate and the ' +
        '"registrationExtract" number (a CA operator checks it in the business registry).',
    }),
  },
  { additionalProperties: false },
);

export const ApproveBody = Type.Object(
  {
    proofingMethod: Type.Optional(Type.Union([Type.Literal('remote'), Type.Literal('in-person')], { default: 'remote' })),
    note: Type.Optional(Type.String({ maxLength: 1000 })),
    roles: Type.Optional(
      Type.Array(Type.Union([Type.Literal('first-head'), Type.Literal('may-sign'), Type.Literal('may-sign-financial')]), {
        minItems: 1,
        maxItems: 3,
        uniqueItems: true,
        description: "A head's application only: the roles its pair carries; first-head is required (and is the default)",
      }),
    ),
    registrationExtract: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: "A head's application only, required there: the extract number you checked in the business registry (it must name the applicant as the first head of the BIN). It must equal the applicant's.",
      }),
    ),
  },
  { additionalProperties: false },
);
export const RejectBody = Type.Object({ reason: Type.String({ minLength: 3, maxLength: 1000 }) }, { additionalProperties: false });

const Prompt = Type.Union([Type.Literal('turn-left'), Type.Literal('turn-right'), Type.Literal('blink'), Type.Literal('smile'), Type.Literal('look-up')]);
export const LivenessChallenge = Type.Object({
  prompts: Type.Array(Prompt, { description: 'Show each prompt to the person and take one frame while they do it, in this order' }),
  code: Type.String({ description: 'Shown to the person and sent back with the capture' }),
  expiresAt: Type.String({ format: 'date-time' }),
});
const Image = (what: string, maxKiB: number) =>
  Type.String({ minLength: 16, maxLength: Math.ceil((maxKiB * 1024 * 4) / 3) + 64, description: `${what}: JPEG or PNG, base64 (a data: URL is accepted), at most ${maxKiB} KiB` });
export const CaptureBody = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 16, description: 'The code of the liveness challenge' }),
    idPhoto: Image('Photo of the ID card or passport', 2048),
    frames: Type.Array(Type.Object({ prompt: Type.String({ maxLength: 32 }), image: Image('A live frame from the camera', 600) }, { additionalProperties: false }), { minItems: 1, maxItems: 5 }),
  },
  { additionalProperties: false },
);
export const CaptureReceipt = Type.Object({ capturedAt: Type.String({ format: 'date-time' }) });
const ReviewImage = Type.Object({ mediaType: Type.String(), data: Type.String({ description: 'base64' }) });
export const CaptureForReviewView = Type.Object({
  prompts: Type.Array(Type.String()),
  capturedAt: Type.String({ format: 'date-time' }),
  idPhoto: ReviewImage,
  frames: Type.Array(Type.Object({ prompt: Type.String(), mediaType: Type.String(), data: Type.String() })),
  faceMatch: Type.Object({
    score: Type.Union([Type.Number(), Type.Null()]),
    liveness: Type.Union([Type.String(), Type.Null()]),
    provider: Type.Union([Type.String(), Type.Null()]),
    testDouble: Type.Boolean({ description: 'true: no face-match service is connected; the score is a stand-in and compares nothing' }),
  }),
});

/** The header carrying the capture secret returned at submission. */
export const CaptureSecretHeaders = Type.Object({
  'qorgau-capture-secret': Type.Optional(Type.String({ maxLength: 200, description: 'The captureSecret the submission returned' })),
});

/** Who opened an applicant's pictures, and when. */
export const CaptureViewsQuery = Type.Object({
  applicationId: Type.Optional(Type.String({ format: 'uuid' })),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
});
export const CaptureViewsView = Type.Object({
  items: Type.Array(
    Type.Object({
      applicationId: Type.String(),
      viewer: Type.String({ description: 'The operator token name that opened the pictures' }),
      viewedAt: Type.String({ format: 'date-time' }),
    }),
  ),
});
