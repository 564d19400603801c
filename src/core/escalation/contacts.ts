// Officers' own work contacts for chat channels: a phone number (E.164) for WhatsApp gateways
// and a Telegram chat id. Optional columns of the officer directory; never reporters' data.
//
// Pure: no I/O.
//
// API
// - parsePhone(text): { value: string | null } | { error: Bilingual } — "" → null; spaces, dots,
//   hyphens and parentheses are dropped; the result must be "+" then 8–15 digits, the first not 0
//   (E.164). A local number ("0812…") is rejected with the fix: write it with the country code.
// - parseTelegramChatId(text): same shape — an integer id (negative for groups), up to 20 digits.
import type { Bilingual } from "../../i18n/lang.js";

export type ContactResult = { value: string | null } | { error: Bilingual };

const E164 = /^\+[1-9]\d{7,14}$/;

export function parsePhone(text: string): ContactResult {
  const raw = text.trim();
  if (raw === "") return { value: null };
  const compact = raw.replace(/[\s.()-]/g, "");
  if (E164.test(compact)) return { value: compact };
  if (/^0\d{7,14}$/.test(compact)) {
    return {
      error: {
        id: `nomor telepon "${raw}" tanpa kode negara: tulis dalam format E.164, mis. +62${compact.slice(1)}`,
        en: `phone number "${raw}" has no country code: write it in E.164 format, e.g. +62${compact.slice(1)}`,
      },
    };
  }
  return {
    error: {
      id: `nomor telepon "${raw}" tidak valid: gunakan format E.164, "+" lalu 8–15 angka, mis. +6281234567890`,
      en: `invalid phone number "${raw}": use E.164 format, "+" then 8–15 digits, e.g. +6281234567890`,
    },
  };
}

export function parseTelegramChatId(text: string): ContactResult {
  const raw = text.trim();
  if (raw === "") return { value: null };
  if (/^-?[1-9]\d{0,19}$/.test(raw)) return { value: raw };
  return {
    error: {
      id: `telegram_chat_id "${raw}" tidak valid: gunakan id angka dari bot Telegram (negatif untuk grup), mis. 123456789`,
      en: `invalid telegram_chat_id "${raw}": use the numeric id from the Telegram bot (negative for groups), e.g. 123456789`,
    },
  };
}
