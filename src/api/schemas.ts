// The API's schemas, one source of truth: requests are validated with them (validate.ts) and the
// OpenAPI document (openapi.ts) is generated from them, responses included (the tests check real
// responses against the response schemas).
import { z } from "zod";
import { CHANNELS, COMPLEXITIES, REPORT_TYPES } from "../ingest/aliases.js";
import { EVENT_KINDS, STAGES, type EventKind } from "../core/types.js";
import { CALENDAR_RANGE, inCalendarRange } from "../core/calendar/index.js";

/** Ids of the schemas that become components of the OpenAPI document. */
export const COMPONENT_IDS = [
  "ReportSnapshot",
  "ReportEvent",
  "ReportEvents",
  "Clock",
  "Report",
  "WriteResult",
  "Overdue",
  "Error",
] as const;

export const MAX_EVENTS_PER_REQUEST = 100;

/** RFC 3339 date-time with seconds and an explicit offset (Z or ±hh:mm), within the calendars' years. */
export const Instant = z.iso
  .datetime({ offset: true })
  .refine((v) => inCalendarRange(Date.parse(v)), {
    message: "outside the calendar range",
    params: { reason: "calendar_range" },
  })
  .meta({
    description: `Instant, RFC 3339 / ISO 8601 with seconds and an offset (Z or ±hh:mm); no local time without offset; years ${CALENDAR_RANGE.firstYear}–${CALENDAR_RANGE.lastYear}.`,
    examples: ["2025-07-08T10:15:00+07:00"],
  });

/** Text without control characters (NUL and the like can be neither stored nor shown). */
const hasControl = (v: string): boolean => {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
};
const PlainText = z.string().refine((v) => !hasControl(v), {
  message: "contains control characters",
  params: { reason: "control_characters" },
});

export const TrackingId = z
  .string()
  .regex(/^[0-9]{1,20}$/)
  .meta({ description: "LAPOR! tracking ID: 1 to 20 digits, as a string.", examples: ["5200108"] });

export const AgencyCode = z
  .string()
  .max(64)
  .regex(/^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/)
  .meta({
    description: "Agency (OPD) code from config/agencies.yaml, e.g. dinkes or 35.07.13.",
    examples: ["dinkes"],
  });

export const ReportType = z.enum(REPORT_TYPES as [string, ...string[]]);
export const Complexity = z.enum(COMPLEXITIES as [string, ...string[]]);
export const Channel = z.enum(CHANNELS as [string, ...string[]]);

/** Event kinds a client may post; `received` comes from the snapshot's receivedAt. */
export const API_EVENT_KINDS = EVENT_KINDS.filter((k) => k !== "received") as [
  EventKind,
  ...EventKind[],
];

const milestone = (description: string) => Instant.nullable().optional().meta({ description });

export const Milestones = z
  .strictObject({
    disposedAt: milestone("Disposition to `opd` (needs `opd`)."),
    firstResponseAt: milestone("First response by the agency."),
    followedUpAt: milestone("Follow-up (tindak lanjut)."),
    completedAt: milestone("Completion (selesai)."),
    archivedAt: milestone("Archived (arsip)."),
  })
  .meta({ description: "Milestones known so far; null or absent = not (yet) reached." });

export const SnapshotInput = z
  .strictObject({
    trackingId: TrackingId,
    receivedAt: Instant,
    opd: AgencyCode.nullable()
      .default(null)
      .meta({ description: "Agency the report is disposed to; null before a disposition." }),
    type: ReportType,
    complexity: Complexity.default("unknown"),
    category: PlainText.min(1).max(200).nullable().default(null),
    channel: Channel.nullable().default(null),
    anonymous: z.boolean().default(false),
    confidential: z.boolean().default(false),
    contactComplete: z.boolean().meta({
      description:
        "Whether the reporter's phone number or email is on file (the contact itself is never sent). Must be true for manual channels (whatsapp, social_media, website, email, call_center_112, walk_in).",
    }),
    milestones: Milestones.default({}),
  })
  .meta({
    id: "ReportSnapshot",
    description:
      "A report as the source knows it. Unknown fields are refused: reporter identity and complaint text are never accepted.",
  });
export type SnapshotInput = z.output<typeof SnapshotInput>;

export const EventInput = z
  .strictObject({
    kind: z.enum(API_EVENT_KINDS),
    at: Instant,
    opd: AgencyCode.nullable()
      .optional()
      .meta({ description: "Target agency (required for disposed / redisposed)." }),
  })
  .meta({ id: "ReportEvent" });
export type EventInput = z.output<typeof EventInput>;

export const EventList = z.array(EventInput).min(1).max(MAX_EVENTS_PER_REQUEST);
export const EventsBody = z.union([EventInput, EventList]).meta({
  id: "ReportEvents",
  description: `One event, or an array of 1 to ${MAX_EVENTS_PER_REQUEST} events.`,
});

export const NowQuery = Instant.optional().meta({
  description: "Reference instant for clock states (default: the server's clock).",
});

export const IdempotencyKey = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/)
  .meta({ description: "1 to 255 printable ASCII characters, e.g. a UUID." });

// ---- responses ----

const IsoOrNull = z.string().nullable();

export const EventView = z.object({
  kind: z.enum(EVENT_KINDS as [EventKind, ...EventKind[]]),
  at: z.string(),
  opd: z.string().nullable(),
});

export const ClockView = z
  .object({
    stage: z.enum(STAGES as [string, ...string[]]),
    seq: z.int(),
    opd: z.string(),
    sopId: z.string(),
    sopVersion: z.string(),
    target: z.object({ amount: z.number(), unit: z.enum(["wd", "wh", "d"]) }),
    startedAt: z.string(),
    dueAt: IsoOrNull.meta({ description: "Null while an open-ended pause holds the clock." }),
    atRiskAt: IsoOrNull,
    stoppedAt: IsoOrNull,
    outcome: z.enum(["open", "met", "breached", "redisposed", "cancelled"]),
    state: z.enum(["on_track", "at_risk", "breached", "paused", "stopped"]).meta({
      description:
        "State at `now`. `paused`: a pause that began before due holds the clock; a pause that began after due leaves it `breached`.",
    }),
    awaitingReporter: z.boolean().meta({
      description:
        "The report awaits the reporter (an open pause); with state `breached` the breach stands.",
    }),
  })
  .meta({ id: "Clock" });

export const ReportView = z
  .object({
    trackingId: z.string(),
    opd: z.string().nullable(),
    opdName: z.string().nullable(),
    owner: z.string().meta({
      description: "Agency whose tokens may read and write this report (opd, or the coordinator).",
    }),
    type: ReportType,
    complexity: Complexity,
    category: z.string().nullable(),
    channel: z.string().nullable(),
    anonymous: z.boolean(),
    confidential: z.boolean(),
    contactComplete: z.boolean(),
    receivedAt: z.string(),
    now: z.string(),
    events: z.array(EventView),
    clocks: z.array(ClockView),
  })
  .meta({ id: "Report", description: "Instants are ISO 8601 with the agency's local offset." });

export const WriteResult = z
  .object({
    result: z.enum(["created", "updated", "unchanged"]),
    eventsAdded: z.int(),
    report: ReportView,
  })
  .meta({ id: "WriteResult" });

export const OverdueClock = z.object({
  trackingId: z.string(),
  stage: z.string(),
  seq: z.int(),
  dueAt: z.string(),
  overdueMs: z.number().meta({
    description:
      "Business time over the target, in ms of `unit`; time awaiting the reporter excluded.",
  }),
  unit: z.enum(["wd", "wh", "d"]),
  awaitingReporter: z.boolean().meta({
    description: "The agency asked the reporter for data after the due instant; still overdue.",
  }),
});

export const OverdueView = z
  .object({
    opd: z.string(),
    opdName: z.string(),
    now: z.string(),
    count: z.int(),
    clocks: z.array(OverdueClock),
  })
  .meta({ id: "Overdue" });

export const ErrorBody = z
  .object({
    error: z.string().meta({ description: "What went wrong, in the request's language." }),
    code: z.string().meta({ description: "Stable machine code, e.g. validation_failed." }),
    field: z.string().optional().meta({ description: "First invalid field (400)." }),
    reason: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), reason: z.string() })).optional(),
  })
  .meta({ id: "Error" });
