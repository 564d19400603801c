// Escalation core (pure): officer directory, ladder and decisions, recipients with vacancies.
// See the comment at the top of each module for its API and rules.
export * from "./appointments.js";
export * from "./emailAddress.js";
export * from "./officerRows.js";
export * from "./ladder.js";
export * from "./recipients.js";
