// The inbox folder of the daily feed (an adapter: file system and a timer around the importer).
// Every look lists the .xlsx / .csv files in `import.inbox_dir`; a file is taken once its size
// and modification time are the same at two consecutive looks (never a half-copied file). Then:
// - its bytes were imported before → recorded as unchanged, moved to done/<yyyy-mm-dd>/;
// - otherwise it is imported in one transaction that also writes its history row (and, before
//   committing, its rejection file beside where it will go); after the commit it is moved to
//   done/<yyyy-mm-dd>/; a crash before the commit leaves it in the inbox and nothing in the
//   database, a crash after the commit is finished at the next look (the drop is recorded);
// - a file that cannot be read (ImportError) → failed/, with "<name>.alasan.txt" saying why.
// Several daemons on one PostgreSQL: the import transaction takes a transaction-level advisory
// lock keyed by the file's hash (another daemon skips the file) and the history row's drop key is
// unique. Everything moved or written here is owner-only (files 0600, folders 0700). A database
// outage leaves the file where it is for the next look; nothing here ever throws out of runOnce().
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { extname, join, relative } from "node:path";
import { DateTime } from "luxon";
import type { Knex } from "knex";
import type { Instant } from "../core/types.js";
import { pick, type Lang } from "../i18n/lang.js";
import { ImportError } from "../ingest/errors.js";
import { writeRejects } from "../ingest/rejects.js";
import {
  contentImported,
  findDrop,
  recordImport,
  type ImportRecord,
} from "../store/importHistory.js";
import type { AppContext } from "../context/appContext.js";
import { fileHash, historyCounts, importFile, rejectionLines } from "./importFile.js";

export interface InboxOptions {
  clock: () => Instant;
  /** Language of the rejection and reason files (default: the configured language). */
  lang?: Lang;
  /** Log a progress line every this many rows of a file (default 10,000). */
  progressEvery?: number;
}

export interface InboxRunResult {
  imported: number;
  unchanged: number;
  failed: number;
  /** Files seen for the first time or still growing: taken at a later look. */
  waiting: number;
  /** Files another daemon is importing, or left for the next look after a database error. */
  deferred: number;
}

const EXTENSIONS = new Set([".xlsx", ".csv"]);

/** Another daemon holds the file (or recorded it first): leave it to that one. */
class TakenElsewhere extends Error {
  readonly code = "INBOX_TAKEN_ELSEWHERE";
}

/** Two int4 of the advisory lock of a file, from its hash (PostgreSQL and PGlite alike). */
function lockKey(hash: string): [number, number] {
  const b = Buffer.from(hash.slice(0, 16), "hex");
  return [b.readInt32BE(0), b.readInt32BE(4)];
}

/** `name`, or "<stem>-<hash8><ext>" when `dir` has a file of that name already. */
function freeName(dir: string, name: string, hash: string): string {
  if (!existsSync(join(dir, name))) return name;
  const ext = extname(name);
  return `${name.slice(0, name.length - ext.length)}-${hash.slice(0, 8)}${ext}`;
}

function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

export class InboxWatcher {
  private readonly seen = new Map<string, { size: number; mtimeMs: number }>();
  private running: Promise<InboxRunResult> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;
  private readonly lang: Lang;

  constructor(
    private readonly ctx: AppContext,
    private readonly options: InboxOptions,
  ) {
    this.lang = options.lang ?? ctx.config.lang;
  }

  get dir(): string {
    return this.ctx.config.import.inboxDir;
  }

  /** One look at the inbox; a look already running is awaited instead of starting another. */
  runOnce(): Promise<InboxRunResult> {
    this.running ??= this.look().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  start(intervalMs: number): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.runOnce(), intervalMs);
    this.timer.unref();
    this.ctx.logger.info("inbox watched", { dir: this.dir, intervalMs });
    void this.runOnce();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.running) await this.running.catch(() => undefined);
  }

  private async look(): Promise<InboxRunResult> {
    const result: InboxRunResult = {
      imported: 0,
      unchanged: 0,
      failed: 0,
      waiting: 0,
      deferred: 0,
    };
    let names: string[];
    try {
      ensureDir(this.dir);
      names = readdirSync(this.dir, { withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => d.name)
        .filter(
          (n) =>
            EXTENSIONS.has(extname(n).toLowerCase()) && !n.startsWith(".") && !n.startsWith("~$"),
        )
        .sort();
    } catch (error) {
      this.ctx.logger.error("inbox: cannot read the inbox folder", {
        dir: this.dir,
        error: error instanceof Error ? error.message : String(error),
      });
      return result;
    }
    for (const name of [...this.seen.keys()]) if (!names.includes(name)) this.seen.delete(name);
    for (const name of names) {
      if (this.stopping) break;
      const path = join(this.dir, name);
      let stat;
      try {
        stat = statSync(path);
      } catch {
        this.seen.delete(name); // moved away meanwhile (another daemon)
        continue;
      }
      const before = this.seen.get(name);
      const now = { size: stat.size, mtimeMs: stat.mtimeMs };
      this.seen.set(name, now);
      if (!before || before.size !== now.size || before.mtimeMs !== now.mtimeMs) {
        result.waiting++;
        continue;
      }
      try {
        const outcome = await this.take(name, now);
        if (outcome === "waiting") result.waiting++;
        else if (outcome === "deferred") result.deferred++;
        else {
          result[outcome]++;
          this.seen.delete(name);
        }
      } catch (error) {
        result.deferred++;
        this.ctx.logger.error("inbox: file left for the next look", {
          file: name,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    return result;
  }

  /** Handles one complete file. */
  private async take(
    name: string,
    stat: { size: number; mtimeMs: number },
  ): Promise<"imported" | "unchanged" | "failed" | "waiting" | "deferred"> {
    const { ctx } = this;
    const path = join(this.dir, name);
    const hash = await fileHash(path);
    const after = statSync(path);
    if (after.size !== stat.size || after.mtimeMs !== stat.mtimeMs) {
      this.seen.set(name, { size: after.size, mtimeMs: after.mtimeMs });
      return "waiting";
    }
    const dropKey = `${hash}:${stat.size}:${Math.round(stat.mtimeMs)}:${name}`;
    const now = this.options.clock();
    const knex = ctx.db.knex;

    // A drop recorded already: another daemon, or this one before a crash, imported it but did
    // not move it yet.
    const recorded = await findDrop(knex, dropKey);
    if (recorded) {
      if (recorded.movedTo) this.move(path, recorded.movedTo);
      return recorded.result;
    }

    const record = (
      result: ImportRecord["result"],
      movedTo: string,
      extra: Partial<ImportRecord> = {},
    ): ImportRecord => ({
      fileName: name,
      contentHash: hash,
      dropKey,
      origin: "inbox",
      result,
      rows: 0,
      imported: 0,
      unchanged: 0,
      rejected: 0,
      warnings: 0,
      reason: null,
      movedTo,
      instance: ctx.instanceId,
      finishedAt: now,
      ...extra,
    });

    const day = DateTime.fromMillis(now, { zone: ctx.config.defaultZone }).toISODate() ?? "";
    const doneDir = join(this.dir, "done", day);
    if (await contentImported(knex, hash)) {
      const target = join(doneDir, freeName(doneDir, name, hash));
      if (await recordImport(knex, record("unchanged", relative(this.dir, target)))) {
        ctx.logger.info("inbox: file imported before, recorded as unchanged", { file: name });
      }
      this.move(path, relative(this.dir, target));
      return "unchanged";
    }

    ensureDir(doneDir);
    const movedName = freeName(doneDir, name, hash);
    const target = join(doneDir, movedName);
    const rejectsPath = join(
      doneDir,
      `${movedName}.${pick(this.lang, { id: "penolakan", en: "rejections" })}.csv`,
    );
    const every = this.options.progressEvery ?? 10_000;
    let logged = 0;
    ctx.logger.info("inbox: importing", { file: name, bytes: stat.size });
    try {
      const result = await importFile(ctx, path, {
        now,
        lang: this.lang,
        dryRun: false,
        progress: false,
        source: `inbox:${name}`,
        history: false,
        onProgress: (rows) => {
          if (rows - logged < every) return;
          logged = rows;
          ctx.logger.info("inbox: import progress", { file: name, rows });
        },
        begin: async (trx: Knex.Transaction) => {
          const [a, b] = lockKey(hash);
          const locked = (await trx.raw("select pg_try_advisory_xact_lock(?::int, ?::int) as ok", [
            a,
            b,
          ])) as { rows: { ok: boolean }[] };
          if (locked.rows[0]?.ok !== true) throw new TakenElsewhere();
          // Another daemon may have finished this very file between our checks and the lock.
          if (await contentImported(trx, hash)) throw new TakenElsewhere();
        },
        beforeCommit: async (trx, summary) => {
          const lines = rejectionLines(summary);
          if (lines.length > 0) await writeRejects(rejectsPath, lines, this.lang);
          const fresh = await recordImport(
            trx,
            record("imported", relative(this.dir, target), historyCounts(summary)),
          );
          if (!fresh) throw new TakenElsewhere();
        },
      });
      this.move(path, relative(this.dir, target));
      ctx.logger.info("inbox: file imported", {
        file: name,
        rows: result.summary.rows,
        imported: result.summary.imported,
        unchanged: result.summary.unchanged,
        rejected: result.summary.rejected,
        warnings: result.summary.warnings.length,
        sheet: result.sheet,
      });
      return "imported";
    } catch (error) {
      if (error instanceof TakenElsewhere) return "deferred";
      if (!(error instanceof ImportError) || error.code === "concurrent_write") throw error;
      return this.fail(name, path, hash, record, error);
    }
  }

  /** The file cannot be imported: failed/, with a text file saying why, and its history row. */
  private async fail(
    name: string,
    path: string,
    hash: string,
    record: (r: ImportRecord["result"], movedTo: string, x?: Partial<ImportRecord>) => ImportRecord,
    error: ImportError,
  ): Promise<"failed"> {
    const failedDir = join(this.dir, "failed");
    ensureDir(failedDir);
    const movedName = freeName(failedDir, name, hash);
    const reasonText =
      `Berkas ${name} tidak dapat diimpor: ${error.msg.id}\n` +
      `The file ${name} could not be imported: ${error.msg.en}\n` +
      `\nPerbaiki berkasnya lalu taruh lagi di folder inbox. / Fix the file, then drop it into the inbox again.\n`;
    await writeFile(join(failedDir, `${movedName}.alasan.txt`), reasonText, { mode: 0o600 });
    await recordImport(
      this.ctx.db.knex,
      record("failed", relative(this.dir, join(failedDir, movedName)), {
        reason: `${error.msg.id} / ${error.msg.en}`,
      }),
    );
    this.move(path, relative(this.dir, join(failedDir, movedName)));
    this.ctx.logger.warn("inbox: file could not be imported", { file: name, code: error.code });
    return "failed";
  }

  /** Moves an inbox file to `movedTo` (relative to the inbox), owner-only; gone already is fine. */
  private move(path: string, movedTo: string): void {
    const target = join(this.dir, movedTo);
    ensureDir(join(target, ".."));
    try {
      renameSync(path, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return; // moved by another daemon
      throw error;
    }
    chmodSync(target, 0o600);
  }
}
