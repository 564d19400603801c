// Reading a JSON request body: the content type must be application/json (415 otherwise), the
// size is limited (413: a declared Content-Length over the limit is refused before reading, and
// a streamed body is counted and abandoned as soon as it passes the limit), and the bytes must
// be UTF-8 JSON (400).
import type { IncomingMessage } from "node:http";
import { ApiError, fieldError } from "./errors.js";

/** Default body limit: 1 MiB. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

const tooLarge = (limit: number): ApiError =>
  new ApiError(
    413,
    "payload_too_large",
    {
      id: `isi permintaan melebihi batas ${limit} bita`,
      en: `the request body exceeds the limit of ${limit} bytes`,
    },
    [],
    // The rest of the body is not read: the connection cannot be reused.
    { connection: "close" },
  );

/** Throws 415 unless the Content-Type is application/json (charset, if given, utf-8). */
export function requireJsonContentType(req: IncomingMessage): void {
  const header = req.headers["content-type"] ?? "";
  const [type, ...params] = header.split(";").map((s) => s.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith("charset="))?.slice("charset=".length);
  if (
    type !== "application/json" ||
    (charset !== undefined && charset.replace(/"/g, "") !== "utf-8")
  ) {
    throw new ApiError(415, "unsupported_media_type", {
      id: `Content-Type harus application/json (UTF-8), bukan "${header || "(kosong)"}"`,
      en: `Content-Type must be application/json (UTF-8), not "${header || "(empty)"}"`,
    });
  }
}

/** Reads the raw body, at most `limit` bytes; stops reading early when it is larger. */
export function readBodyBytes(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(tooLarge(limit));
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error: Error | null, value?: Buffer): void => {
      if (done) return;
      done = true;
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      if (error) reject(error);
      else resolve(value ?? Buffer.alloc(0));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        // Stop buffering at once; the response closes the connection.
        req.pause();
        finish(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish(null, Buffer.concat(chunks, size));
    const onError = (error: Error): void => finish(error);
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Content type, size, UTF-8 and JSON syntax: the parsed value, not yet validated. */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  requireJsonContentType(req);
  const bytes = await readBodyBytes(req, limit);
  if (bytes.length === 0) {
    throw fieldError("body", "isi permintaan kosong", "the request body is empty");
  }
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw fieldError("body", "isi permintaan bukan UTF-8", "the request body is not UTF-8");
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const detail = error instanceof Error ? error.message : "";
    throw fieldError("body", `bukan JSON yang valid: ${detail}`, `not valid JSON: ${detail}`);
  }
}
