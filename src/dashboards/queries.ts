// PromQL shared by the dashboards. Compliance always divides summed numerators by summed
// denominators (recording rules in dashboards/prometheus/rules/pantau.rules.yml), never averages
// ratios. Counters are only read through increase()/rate() or through recording rules.

/** Adds the agency's name (from pantau_opd_info) to a per-opd vector, for tables. */
export function withName(expr: string, opdMatcher = 'opd=~"$opd"'): string {
  return `(${expr}) * on (opd) group_left (name) max by (opd, name) (pantau_opd_info{${opdMatcher}})`;
}

/** Open reports: a report waits in verification (coordinator) or in resolution (its agency). */
export const OPEN_STAGES = 'stage=~"verification|resolution"';

export const DAY_SECONDS = 86400;

/**
 * Agencies holding a report open for more than N days that have answered nothing for N days
 * (value: seconds since the last answer). N comes from the `hari_tidak_aktif` variable.
 */
export function inactiveAgencies(opdMatcher: string, days = "${hari_tidak_aktif}"): string {
  return (
    `(time() - max by (opd) (pantau_opd_last_response_timestamp_seconds{${opdMatcher}}) > ${days} * ${DAY_SECONDS})` +
    ` and on (opd) (max by (opd) (pantau_reports_oldest_open_seconds{${opdMatcher}}) > ${days} * ${DAY_SECONDS})`
  );
}
