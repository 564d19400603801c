// Formatting for people: local dates and times, business amounts.
export { monthName, weekdayName } from "./names.js";
export { formatIsoLocal, formatLocal, formatLocalDate, zoneAbbreviation } from "./local.js";
export { formatBusinessAmount, formatDurationText, formatNumber, unitName } from "./amount.js";
