/**
 * Face matching for remote identity proofing: is the face in the live capture the face the
 * state holds for this IIN and ID document, and was a live person in front of the camera?
 *
 * No face-match service exists in this project. In Kazakhstan it is a state service (the
 * biometric check against the photo of the ID document register); Qorgau would reach it behind
 * this interface. Until one is connected, the provider is `FaceMatchTestDouble`, which compares
 * nothing: its score is a fixed number, and it says so (`testDouble: true`), so the operator's
 * screen and the API mark the score as not a real comparison. The operator's own look at the two
 * pictures side by side is then the only comparison made.
 */
export interface FaceMatchInput {
  applicationId: string;
  iin: string;
  idDocumentNumber: string;
  /** The photo of the ID document the applicant took. */
  idPhoto: Buffer;
  /** The live frames, one per prompt, in the challenge's order. */
  frames: { prompt: string; image: Buffer }[];
}

export interface FaceMatchResult {
  /** 0 (different people) to 1 (same person). */
  score: number;
  /** 'passed' when the frames show a live person following the prompts; 'unknown' when the provider cannot tell. */
  liveness: 'passed' | 'failed' | 'unknown';
}

export interface FaceMatch {
  /** Recorded with the score. */
  readonly name: string;
  /** True for a stand-in that compares nothing: its score must never be taken as evidence. */
  readonly testDouble: boolean;
  compare(input: FaceMatchInput): Promise<FaceMatchResult>;
}

/**
 * The stand-in: answers a fixed score (0.5, "cannot tell", unless a test gives a rule) and
 * liveness 'unknown'. It looks at no picture.
 */
export class FaceMatchTestDouble implements FaceMatch {
  readonly name = 'test-double';
  readonly testDouble = true;
  constructor(private readonly rule: (input: FaceMatchInput) => FaceMatchResult = () => ({ score: 0.5, liveness: 'unknown' })) {}
  async compare(input: FaceMatchInput): Promise<FaceMatchResult> {
    return this.rule(input);
  }
}
