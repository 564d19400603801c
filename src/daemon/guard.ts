// The process-level guard of the daemon: a promise rejection nobody handled (a request handler,
// a timer, a library callback) is logged and the daemon keeps serving, instead of Node's default
// of ending the process — one bad request must never take down the API, health, scans and
// metrics. Every known path handles its own errors; this is the backstop. Synchronous uncaught
// exceptions are not swallowed: the state they leave behind is unknown, so they still end the
// process (a supervisor restarts it).
export interface GuardLogger {
  error(message: string, meta?: Record<string, unknown>): void;
}

/** Installs the guard; returns the function that removes it (at shutdown, in tests). */
export function installRejectionGuard(logger: GuardLogger): () => void {
  const onRejection = (reason: unknown): void => {
    logger.error("unhandled promise rejection; the daemon keeps running", {
      error: reason instanceof Error ? reason.message : String(reason),
    });
  };
  process.on("unhandledRejection", onRejection);
  return () => {
    process.off("unhandledRejection", onRejection);
  };
}
