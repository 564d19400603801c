// Escalation core (pure): officer directory, ladder and decisions, recipients with vacancies.
// See the comment at the top of each module for its API and rules.
export * from "./officers.js";
export * from "./ladder.js";
export * from "./recipients.js";
