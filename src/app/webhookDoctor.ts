// `pantau doctor`'s check of the chat webhooks (notify.webhooks): each one's secret and, for
// url_env, its URL must be set in the environment the daemon runs with; otherwise every chat
// message to it fails its attempts. No request is sent (a gateway would deliver a message).
// Nothing configured: no check line. Values are never shown, only variable names.
import type { PantauConfig } from "../config/index.js";
import type { DoctorCheck } from "./doctor.js";

export function webhookChecks(config: PantauConfig, env: NodeJS.ProcessEnv): DoctorCheck[] {
  return config.notify.webhooks.map((w) => {
    const missing = [w.secretEnv, ...(w.urlEnv ? [w.urlEnv] : [])].filter((name) => !env[name]);
    if (missing.length === 0) {
      return {
        name: `webhook:${w.name}`,
        level: "ok",
        message: {
          id: `webhook ${w.name}: rahasia HMAC${w.urlEnv ? " dan URL" : ""} tersedia di lingkungan`,
          en: `webhook ${w.name}: HMAC secret${w.urlEnv ? " and URL" : ""} set in the environment`,
        },
      };
    }
    return {
      name: `webhook:${w.name}`,
      level: "fail",
      message: {
        id: `webhook ${w.name}: variabel lingkungan ${missing.join(", ")} belum diisi; pesan chat ke webhook ini gagal`,
        en: `webhook ${w.name}: environment variable ${missing.join(", ")} is not set; chat messages to this webhook fail`,
      },
      action: {
        id: `isi ${missing.join(", ")} di berkas lingkungan daemon (mis. /etc/pantau/pantau.env), mulai ulang, lalu \`pantau outbox retry --all-failed\``,
        en: `set ${missing.join(", ")} in the daemon's environment file (e.g. /etc/pantau/pantau.env), restart, then \`pantau outbox retry --all-failed\``,
      },
    };
  });
}
