// The `notify` section of pantau.yaml: quiet hours for chat messages and the webhook channels
// (WhatsApp gateways, Telegram bots) that receive the per-person messages beside email.
//
//   notify:
//     quiet_hours: { start: "20:00", end: "07:00" }   # local time; start = end: never quiet
//     webhooks:
//       - name: whatsapp                # [a-z0-9_-], unique; the channel is "webhook:<name>"
//         url: https://wa.example/send  # or url_env: NAME (a URL holding a token, e.g. Telegram)
//         secret_env: PANTAU_WA_SECRET  # HMAC-SHA256 key, read from this environment variable
//         address: phone                # phone | telegram_chat_id: whom the message is for
//         format: pantau                # pantau (full JSON) | telegram ({ chat_id, text })
//         roles: [supervisor, coordinator]   # default: every role
//         levels: [1, 2]                # default: every level
//         timeout_seconds: 10
//         template: "Yth. {name},\n{summary}\n\n{items}"
//
// Secrets are never part of the configuration: only the names of the environment variables.
import { OFFICER_ROLES, type OfficerRole } from "../core/escalation/appointments.js";
import { DEFAULT_CHAT_TEMPLATE, TEMPLATE_FIELDS } from "../core/escalation/chatMessage.js";
import { DEFAULT_QUIET_HOURS, type QuietHours } from "../core/escalation/quietHours.js";
import { z } from "zod";
import { clockTime, Fail, leaf, show, withDefault, type LeafParser } from "./leaf.js";

export interface WebhookSettings {
  name: string;
  /** The URL itself, or null when it comes from `urlEnv`. */
  url: string | null;
  urlEnv: string | null;
  secretEnv: string;
  address: "phone" | "telegram_chat_id";
  format: "pantau" | "telegram";
  /** Null: every role / level. */
  roles: OfficerRole[] | null;
  levels: number[] | null;
  timeoutMs: number;
  template: string;
}

export interface NotifySettings {
  quietHours: QuietHours;
  webhooks: WebhookSettings[];
}

const KEYS = [
  "name",
  "url",
  "url_env",
  "secret_env",
  "address",
  "format",
  "roles",
  "levels",
  "timeout_seconds",
  "template",
];
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

function fail(where: string, id: string, en: string): Fail {
  return new Fail({ id: `${where}: ${id}`, en: `${where}: ${en}` });
}

function parseWebhook(v: unknown, i: number): WebhookSettings | Fail {
  const at = `webhooks[${i}]`;
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    return fail(
      at,
      "harus berupa objek { name, url, secret_env, ... }",
      "must be an object { name, url, secret_env, ... }",
    );
  }
  const o = v as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !KEYS.includes(k));
  if (unknown.length > 0) {
    return fail(
      at,
      `kunci tidak dikenal ${unknown.join(", ")} (gunakan ${KEYS.join(", ")})`,
      `unknown keys ${unknown.join(", ")} (use ${KEYS.join(", ")})`,
    );
  }
  const name = typeof o.name === "string" ? o.name.trim() : "";
  if (!/^[a-z0-9_-]{1,40}$/.test(name)) {
    return fail(
      at,
      `name ${show(o.name)} harus huruf kecil, angka, - atau _ (maks. 40), mis. whatsapp`,
      `name ${show(o.name)} must be lowercase letters, digits, - or _ (max. 40), e.g. whatsapp`,
    );
  }
  const where = `webhooks.${name}`;
  const url = typeof o.url === "string" ? o.url.trim() : null;
  const urlEnv = typeof o.url_env === "string" ? o.url_env.trim() : null;
  if ((url === null) === (urlEnv === null)) {
    return fail(
      where,
      "isi tepat satu dari url atau url_env",
      "set exactly one of url and url_env",
    );
  }
  if (url !== null && !/^https?:\/\/[^\s/?#]+\S*$/.test(url)) {
    return fail(
      where,
      `url ${show(url)} harus diawali http:// atau https://`,
      `url ${show(url)} must start with http:// or https://`,
    );
  }
  if (urlEnv !== null && !ENV_NAME.test(urlEnv)) {
    return fail(
      where,
      `url_env ${show(urlEnv)} harus nama variabel lingkungan (A-Z, 0-9, _)`,
      `url_env ${show(urlEnv)} must be an environment variable name (A-Z, 0-9, _)`,
    );
  }
  const secretEnv = typeof o.secret_env === "string" ? o.secret_env.trim() : "";
  if (!ENV_NAME.test(secretEnv)) {
    return fail(
      where,
      "secret_env wajib: nama variabel lingkungan yang berisi kunci HMAC, mis. PANTAU_WA_SECRET",
      "secret_env is required: the name of the environment variable holding the HMAC key, e.g. PANTAU_WA_SECRET",
    );
  }
  const address = o.address ?? "phone";
  if (address !== "phone" && address !== "telegram_chat_id") {
    return fail(
      where,
      `address ${show(address)}: gunakan phone atau telegram_chat_id`,
      `address ${show(address)}: use phone or telegram_chat_id`,
    );
  }
  const format = o.format ?? (address === "telegram_chat_id" ? "telegram" : "pantau");
  if (format !== "pantau" && format !== "telegram") {
    return fail(
      where,
      `format ${show(format)}: gunakan pantau atau telegram`,
      `format ${show(format)}: use pantau or telegram`,
    );
  }
  let roles: OfficerRole[] | null = null;
  if (o.roles !== undefined && o.roles !== null) {
    if (
      !Array.isArray(o.roles) ||
      !o.roles.every((r) => OFFICER_ROLES.includes(r as OfficerRole))
    ) {
      return fail(
        where,
        `roles harus daftar dari ${OFFICER_ROLES.join(", ")}`,
        `roles must be a list of ${OFFICER_ROLES.join(", ")}`,
      );
    }
    roles = o.roles as OfficerRole[];
  }
  let levels: number[] | null = null;
  if (o.levels !== undefined && o.levels !== null) {
    if (
      !Array.isArray(o.levels) ||
      !o.levels.every((l) => Number.isInteger(l) && l >= 0 && l <= 9)
    ) {
      return fail(
        where,
        "levels harus daftar tingkat 0–9, mis. [1, 2]",
        "levels must be a list of levels 0–9, e.g. [1, 2]",
      );
    }
    levels = o.levels as number[];
  }
  const timeout = o.timeout_seconds ?? 10;
  if (typeof timeout !== "number" || !Number.isInteger(timeout) || timeout < 1 || timeout > 120) {
    return fail(
      where,
      "timeout_seconds harus bilangan bulat 1–120",
      "timeout_seconds must be an integer 1–120",
    );
  }
  const template = o.template ?? DEFAULT_CHAT_TEMPLATE;
  if (typeof template !== "string" || template.trim() === "") {
    return fail(where, "template harus teks", "template must be text");
  }
  const unknownFields = [...template.matchAll(/\{([a-z_]+)\}/g)]
    .map((m) => m[1]!)
    .filter((f) => !(TEMPLATE_FIELDS as readonly string[]).includes(f));
  if (unknownFields.length > 0) {
    return fail(
      where,
      `template memakai {${unknownFields.join("}, {")}}: yang tersedia {${TEMPLATE_FIELDS.join("}, {")}}`,
      `template uses {${unknownFields.join("}, {")}}: available are {${TEMPLATE_FIELDS.join("}, {")}}`,
    );
  }
  return {
    name,
    url,
    urlEnv,
    secretEnv,
    address,
    format,
    roles,
    levels,
    timeoutMs: timeout * 1000,
    template,
  };
}

const webhookList: LeafParser<WebhookSettings[]> = (v) => {
  if (!Array.isArray(v)) {
    return new Fail({ id: "harus berupa daftar webhook", en: "must be a list of webhooks" });
  }
  const out: WebhookSettings[] = [];
  for (const [i, item] of v.entries()) {
    const w = parseWebhook(item, i);
    if (w instanceof Fail) return w;
    if (out.some((x) => x.name === w.name)) {
      return fail(`webhooks.${w.name}`, "nama dipakai dua kali", "the name is used twice");
    }
    out.push(w);
  }
  return out;
};

/** The zod schema of the section (wired into pantauSchema). */
export function notifySchema() {
  return z
    .strictObject({
      quiet_hours: z
        .strictObject({
          start: leaf(withDefault(clockTime, DEFAULT_QUIET_HOURS.startMinute)),
          end: leaf(withDefault(clockTime, DEFAULT_QUIET_HOURS.endMinute)),
        })
        .prefault({}),
      webhooks: leaf(withDefault(webhookList, [])),
    })
    .prefault({});
}

export function notifySettings(raw: z.infer<ReturnType<typeof notifySchema>>): NotifySettings {
  return {
    quietHours: { startMinute: raw.quiet_hours.start, endMinute: raw.quiet_hours.end },
    webhooks: raw.webhooks,
  };
}
