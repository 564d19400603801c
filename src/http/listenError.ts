// Why a port could not be opened, said for the operator: which server (HTTP or metrics), which
// address, and which setting to change. `pantau start` raises it after undoing what it started.

export class ListenError extends Error {
  readonly code = "LISTEN_FAILED";
  constructor(
    readonly server: "HTTP" | "metrics",
    readonly host: string,
    readonly port: number,
    override readonly cause: unknown,
  ) {
    const setting =
      server === "HTTP" ? "http.port (PANTAU_HTTP_PORT)" : "metrics.port (PANTAU_METRICS_PORT)";
    const errno = (cause as { code?: string } | null)?.code;
    const where = `Port ${port} (${server}, ${host})`;
    super(
      errno === "EADDRINUSE"
        ? `${where} sudah dipakai proses lain: hentikan proses itu (\`ss -ltnp 'sport = :${port}'\` menunjukkannya) atau ubah ${setting}. Pantau tidak dijalankan. / ` +
            `${where} is already in use by another process: stop it (\`ss -ltnp 'sport = :${port}'\` shows it) or change ${setting}. Pantau did not start.`
        : errno === "EACCES"
          ? `${where} tidak boleh dibuka oleh pengguna ini (port di bawah 1024 butuh hak root): ubah ${setting}. Pantau tidak dijalankan. / ` +
            `${where} may not be opened by this user (ports below 1024 need root): change ${setting}. Pantau did not start.`
          : `${where} tidak bisa dibuka (${cause instanceof Error ? cause.message : String(cause)}): periksa ${setting} dan alamatnya. Pantau tidak dijalankan. / ` +
            `${where} cannot be opened (${cause instanceof Error ? cause.message : String(cause)}): check ${setting} and its address. Pantau did not start.`,
    );
  }
}

/** A listen failure as a ListenError; any other error as it is. */
export function asListenError(
  error: unknown,
  server: "HTTP" | "metrics",
  host: string,
  port: number,
): unknown {
  const syscall = (error as { syscall?: string } | null)?.syscall;
  return syscall === "listen" ? new ListenError(server, host, port, error) : error;
}
