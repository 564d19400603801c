// Pure business-time module: durations and business calendars (no I/O, no clock reads).
export * from "./duration.js";
export * from "./businessCalendar.js";
