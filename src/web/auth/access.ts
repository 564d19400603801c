// Who may see what on the web pages, decided from the officer directory at `now` (pure).
//
// - Leadership (Tim Pengelola) and the coordinator (admin koordinator), and admin API tokens:
//   everything ("all").
// - A supervisor (Kepala OPD) or liaison (pejabat penghubung): the regency aggregates (summary,
//   trends) and the reports and detail page of their own agency only ("agency").
// - Anyone else, including an officer whose appointment has ended (mutasi): nothing (null). No
//   user administration: access follows the directory.
// An address holding several appointments gets the widest: regency roles win; two agencies'
// roles give both agencies.
import type { Appointment, OfficerRole } from "../../core/escalation/appointments.js";
import type { Instant } from "../../core/types.js";

export interface Access {
  /** "all": every agency; "agency": the regency aggregates plus `agencies` only. */
  scope: "all" | "agency";
  agencies: readonly string[];
  /** Who this is, for the page header: the officer's name, or the token's name. */
  displayName: string;
  /** The roles held at `now` (empty for an admin token). */
  roles: readonly OfficerRole[];
  /** An admin API token's session (operators): sees who signed in recently. */
  admin: boolean;
}

const covers = (a: Appointment, at: Instant): boolean =>
  a.validFrom <= at && (a.validTo === null || at < a.validTo);

/** Access of the officer with `email` (any case) at `now`, or null when they hold no role then. */
export function officerAccess(
  appointments: readonly Appointment[],
  email: string,
  now: Instant,
): Access | null {
  const address = email.trim().toLowerCase();
  const held = appointments.filter((a) => a.email.toLowerCase() === address && covers(a, now));
  if (held.length === 0) return null;
  const roles = [...new Set(held.map((a) => a.role))];
  const regency = held.some((a) => a.role === "coordinator" || a.role === "leadership");
  const agencies = regency
    ? []
    : [...new Set(held.map((a) => a.opd).filter((o): o is string => o !== null))].sort();
  // The latest appointment names the person (a name may have changed with a new decree).
  const latest = [...held].sort((a, b) => b.validFrom - a.validFrom)[0] as Appointment;
  return {
    scope: regency ? "all" : "agency",
    agencies,
    displayName: latest.name,
    roles,
    admin: false,
  };
}

/** Access of an admin API token (operators). */
export function tokenAccess(tokenName: string): Access {
  return { scope: "all", agencies: [], displayName: tokenName, roles: [], admin: true };
}

/** Whether `access` may see an agency's reports and detail page. */
export function maySeeAgency(access: Access, opd: string): boolean {
  return access.scope === "all" || access.agencies.includes(opd);
}

/** Whether `access` may see the operations page (coordinator, leadership, admin tokens). */
export function maySeeOperations(access: Access): boolean {
  return access.scope === "all";
}
