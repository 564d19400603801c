// Notification composition (pure): grouped, bilingual, privacy-safe emails with stable IDs.
// See compose.ts and safety.ts for the API.
export * from "./compose.js";
export * from "./safety.js";
