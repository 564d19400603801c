// The metrics interface the services report events through (scans, emails and chat messages per
// channel, decisions, backups), and NOOP_METRICS for commands and tests that export nothing.
// Below everything that uses it: no prom-client here (the registry in src/metrics implements it, wired by the daemon's root).
import type { Instant } from "../core/types.js";

/** What one finished scan reports. */
export interface ScanReport {
  durationSeconds: number;
  /** Wall-clock instant the scan finished (not the scan's reference `now`). */
  finishedAt: Instant;
  /** Clocks whose next instant had come and were processed. */
  clocksDue?: number;
}

/** Delivery channels of the outbox: the label values of the notification counters. */
export const NOTIFICATION_CHANNELS = ["email", "webhook"] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

/** Events the services report; implemented by the registry, or by NOOP_METRICS in tests. */
export interface PantauMetrics {
  scanFinished(report: ScanReport): void;
  scanFailed(durationSeconds: number): void;
  /** One message accepted by the SMTP server (or written to the .eml outbox folder). */
  emailSent(count?: number): void;
  /** One failed delivery attempt. */
  emailFailed(count?: number): void;
  /** One message delivered over a channel ("email" or "webhook"). */
  notificationSent(channel: NotificationChannel): void;
  /** One failed delivery attempt over a channel. */
  notificationFailed(channel: NotificationChannel): void;
  /** Escalation steps decided by this process's scans, by level ("0", "1", "2"). */
  escalationDecided(level: string | number, count?: number): void;
  /** A complete backup exists as of `at` (taken now, or the newest found at start). */
  backupSucceeded(at: Instant): void;
  backupFailed(): void;
}

export const NOOP_METRICS: PantauMetrics = {
  scanFinished: () => undefined,
  scanFailed: () => undefined,
  emailSent: () => undefined,
  emailFailed: () => undefined,
  notificationSent: () => undefined,
  notificationFailed: () => undefined,
  escalationDecided: () => undefined,
  backupSucceeded: () => undefined,
  backupFailed: () => undefined,
};
