// SOP resolution: which targets apply to an agency on a local date. Pure.
import type {
  Duration,
  DurationUnit,
  LocalDate,
  PartialSopVersion,
  Report,
  SopCatalog,
  SopVersion,
  Stage,
  StageTargets,
} from "../types.js";

/** Default at-risk margins: a clock is "at risk" this much business time before it is due. */
export const DEFAULT_RISK_MARGINS: Readonly<Record<DurationUnit, Duration>> = {
  wd: { amount: 1, unit: "wd" },
  wh: { amount: 2, unit: "wh" },
  d: { amount: 1, unit: "d" },
};

/** The version in force on `date`: greatest effectiveFrom <= date, or undefined. */
function inForce<V extends { effectiveFrom: LocalDate }>(
  versions: readonly V[],
  date: LocalDate,
): V | undefined {
  let best: V | undefined;
  for (const v of versions) {
    // "yyyy-mm-dd" strings order like the dates they name.
    if (v.effectiveFrom <= date && (!best || v.effectiveFrom > best.effectiveFrom)) best = v;
  }
  return best;
}

function earliest<V extends { effectiveFrom: LocalDate }>(versions: readonly V[]): V | undefined {
  let best: V | undefined;
  for (const v of versions) if (!best || v.effectiveFrom < best.effectiveFrom) best = v;
  return best;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Deep merge of an override onto a base; fields absent (or undefined) in the override are kept. */
function deepMerge<T>(base: T, override: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(override)) {
    return override === undefined ? base : (override as T);
  }
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue;
    out[key] = key in base ? deepMerge(base[key], value) : value;
  }
  return out as T;
}

/** The regency default version in force on `date`, or the earliest one if `date` precedes all. */
export function resolveDefaultSop(catalog: SopCatalog, localDate: LocalDate): SopVersion {
  const version = inForce(catalog.defaultVersions, localDate) ?? earliest(catalog.defaultVersions);
  if (!version) throw new Error("SOP catalog has no default version");
  return version;
}

/**
 * The SOP in force for agency `opd` on `localDate` (the greatest effectiveFrom <= localDate).
 *
 * - If the agency has its own version in force on that date, that version is returned with the
 *   targets it leaves out filled from the default version in force on the same date (a deep merge:
 *   an override may even give only the amount of a duration); sopId is the agency's sopId (its
 *   code) and effectiveFrom the agency version's.
 * - Otherwise the default version in force on that date is returned.
 * - If no default version is in force yet (the date precedes every default version), the earliest
 *   default version is used, so that old reports still get a target instead of an error.
 *   An agency version whose effectiveFrom is later than the date is never used.
 *
 * @throws Error if the catalog has no default version at all.
 */
export function resolveSop(catalog: SopCatalog, opd: string, localDate: LocalDate): SopVersion {
  const base = resolveDefaultSop(catalog, localDate);
  const own: PartialSopVersion | undefined = inForce(catalog.agencyVersions[opd] ?? [], localDate);
  if (!own) return base;
  return {
    sopId: own.sopId || opd,
    effectiveFrom: own.effectiveFrom,
    title: own.title,
    targets: deepMerge<StageTargets>(base.targets, own.targets),
  };
}

/**
 * Sum of two durations of the same unit.
 * @throws Error if the units differ (working days and working hours cannot be added).
 */
export function addDurations(a: Duration, b: Duration): Duration {
  if (a.unit !== b.unit) {
    throw new Error(
      `cannot add durations of different units: ${a.amount}${a.unit} + ${b.amount}${b.unit}`,
    );
  }
  return { amount: a.amount + b.amount, unit: a.unit };
}

/**
 * Checks a resolved set of targets for combinations that cannot be computed. Config loading should
 * call it on every resolved SOP version so that errors surface at validation time, not during
 * a scan. Today: the information-request extension must share the unit of its base target.
 * @throws Error describing the first problem found.
 */
export function validateStageTargets(targets: StageTargets, sopLabel = "SOP"): void {
  const base = targets.resolution.permintaan_informasi;
  const ext = targets.resolution.permintaan_informasi_extension;
  if (base.unit !== ext.unit) {
    throw new Error(
      `${sopLabel}: resolution.permintaan_informasi_extension (${ext.unit}) must use the unit of ` +
        `resolution.permintaan_informasi (${base.unit})`,
    );
  }
}

/**
 * The resolution target of a report: pengaduan by complexity (an unknown complexity uses the
 * `unknown` entry), aspirasi, or permintaan_informasi — plus its extension once when `extended`
 * (the extension is ignored for other report types).
 * @throws Error if an extended information request's extension has a different unit than its base
 * target (config validation with {@link validateStageTargets} rejects that earlier).
 */
export function resolutionTarget(
  targets: StageTargets,
  report: Pick<Report, "type" | "complexity">,
  extended: boolean,
): Duration {
  const r = targets.resolution;
  switch (report.type) {
    case "pengaduan":
      return r.pengaduan[report.complexity] ?? r.pengaduan.unknown;
    case "aspirasi":
      return r.aspirasi;
    case "permintaan_informasi":
      return extended
        ? addDurations(r.permintaan_informasi, r.permintaan_informasi_extension)
        : r.permintaan_informasi;
  }
}

/** The target of any stage; `extended` matters only for an information request's resolution. */
export function stageTarget(
  targets: StageTargets,
  stage: Stage,
  report: Pick<Report, "type" | "complexity">,
  extended = false,
): Duration {
  if (stage === "resolution") return resolutionTarget(targets, report, extended);
  return targets[stage];
}

/**
 * The at-risk margin for a target unit: 1wd, 2wh or 1d unless `overrides` gives one.
 * @throws Error if an override's unit differs from the key it is given under.
 */
export function atRiskMargin(
  unit: DurationUnit,
  overrides?: Partial<Record<DurationUnit, Duration>>,
): Duration {
  const margin = overrides?.[unit] ?? DEFAULT_RISK_MARGINS[unit];
  if (margin.unit !== unit) {
    throw new Error(`at-risk margin for unit ${unit} is given in ${margin.unit}`);
  }
  return margin;
}
