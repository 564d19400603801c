// When may an instant be recorded? The rule that keeps agencies from rewriting their own
// compliance through the API: a milestone must be recorded soon after it happened (within a
// tolerance counted on the agency's business calendar, default 1 working day, so that a
// Friday-evening response may still be entered on Monday), and nothing may be dated in the
// future beyond a small clock skew. Whoever may backdate (admin tokens, `pantau import`) is
// exempt from the first rule only; every event keeps its recording instant for the audit trail.
// Pure: `recordedAt` (the instant of recording) is an argument.
import type { BusinessCalendar } from "../calendar/index.js";
import type { Duration, Instant } from "../types.js";

export interface RecordingPolicy {
  /** How long after `at` a milestone may still be recorded by a party that may not backdate. */
  backdateTolerance: Duration;
  /** How far after the recording instant `at` may lie (clock skew between systems). */
  clockSkewMs: number;
}

export type RecordingProblem =
  /** `at` lies after `latest` (the recording instant plus the skew). */
  | { kind: "future"; latest: Instant }
  /** The tolerance for `at` ran out at `deadline`, before the recording instant. */
  | { kind: "backdated"; deadline: Instant };

/**
 * Whether an event at `at` may be recorded at `recordedAt` under `policy`, on the calendar of
 * the agency concerned; null when it may.
 */
export function checkRecording(
  at: Instant,
  recordedAt: Instant,
  calendar: BusinessCalendar,
  policy: RecordingPolicy,
  mayBackdate: boolean,
): RecordingProblem | null {
  const latest = recordedAt + policy.clockSkewMs;
  if (at > latest) return { kind: "future", latest };
  if (mayBackdate) return null;
  const deadline = calendar.dueAt(at, policy.backdateTolerance);
  return recordedAt > deadline ? { kind: "backdated", deadline } : null;
}

/** Recording instants closer than this to the event itself are not worth showing. */
export const RECORDING_NOTE_THRESHOLD_MS = 5 * 60_000;
