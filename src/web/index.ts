// The web pages (Papan Kepatuhan) for the composition root: one call registers them on the
// daemon's router (registerWebRoutes), webBaseUrl says where they are, and demoSignInLink gives
// `pantau start --demo` a link that signs the demo coordinator in at once.
import type { AppContext } from "../context/appContext.js";
import type { PantauConfig } from "../config/index.js";
import { holderAt } from "../core/escalation/appointments.js";
import type { Instant } from "../core/types.js";
import { loadAppointments } from "../officers/officerStore.js";
import { createLink, linkUrl } from "./auth/links.js";

export { registerWebRoutes, type WebDeps, type WebOptions } from "./routes.js";

/** web.base_url, or the daemon's own address (a wildcard bind host shown as 127.0.0.1). */
export function webBaseUrl(config: PantauConfig, port: number): string {
  if (config.web.baseUrl) return config.web.baseUrl;
  const host = config.http.host;
  const shown =
    host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

/** A one-time sign-in link for the coordinator in office at `now`, or null when none is. */
export async function demoSignInLink(
  ctx: AppContext,
  now: Instant,
  baseUrl: string,
): Promise<string | null> {
  const coordinator = holderAt(await loadAppointments(ctx.db.knex), "coordinator", null, now);
  if (!coordinator) return null;
  const { secret } = await createLink(ctx.db.knex, coordinator.email, now, ctx.config.web.linkMs);
  return linkUrl(baseUrl, secret);
}
