/**
 * Resumable uploads through /api/v1/media/uploads (the API's tus-like protocol): start with the
 * file's name and size, then PATCH chunks from the server's offset. XMLHttpRequest, not fetch,
 * because only it reports upload progress. A dropped chunk is resumed from the offset the server
 * reports (HEAD), a few times, before giving up.
 */
import { refreshSession } from "@/lib/api/client";
import { ApiError, NetworkError, toProblem } from "@/lib/api/errors";
import type { components } from "@/lib/api/schema";
import { useSession } from "@/stores/session";

type UploadRead = components["schemas"]["UploadRead"];
export type MediaRead = components["schemas"]["MediaRead"];

const UPLOADS = "/api/v1/media/uploads";
const RETRIES = 3;

interface Answer {
  status: number;
  body: unknown;
  headers: (name: string) => string | null;
}

function send(
  method: string,
  url: string,
  init: { headers?: Record<string, string>; body?: Blob; onProgress?: (sent: number) => void; signal?: AbortSignal },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(method, url);
    const token = useSession.getState().accessToken;
    if (token) request.setRequestHeader("Authorization", `Bearer ${token}`);
    for (const [name, value] of Object.entries(init.headers ?? {})) request.setRequestHeader(name, value);
    if (init.onProgress) {
      const report = init.onProgress;
      request.upload.onprogress = (event) => report(event.loaded);
    }
    request.onload = () => {
      let body: unknown = null;
      try {
        body = request.responseText ? JSON.parse(request.responseText) : null;
      } catch {
        body = null;
      }
      resolve({ status: request.status, body, headers: (name) => request.getResponseHeader(name) });
    };
    request.onerror = () => reject(new NetworkError(new Error(`${method} ${url} failed`)));
    request.onabort = () => reject(new DOMException("The upload was cancelled.", "AbortError"));
    init.signal?.addEventListener("abort", () => request.abort());
    request.send(init.body ?? null);
  });
}

/** Sends once; on 401 refreshes the session and sends again. */
async function call(method: string, url: string, init: Parameters<typeof send>[2] = {}): Promise<Answer> {
  const answer = await send(method, url, init);
  if (answer.status !== 401 || !(await refreshSession())) return answer;
  return send(method, url, init);
}

function fail(answer: Answer): never {
  throw new ApiError(
    toProblem(answer.body, new Response(null, { status: answer.status, statusText: "" })),
  );
}

export interface UploadOptions {
  /** Bytes of the file sent so far. */
  onProgress?: (sent: number, total: number) => void;
  signal?: AbortSignal;
  /** Overrides the server's chunk size (tests). */
  chunkBytes?: number;
}

/** Uploads the file; resolves to the stored media, or rejects with the API's problem. */
export async function uploadResumable(file: File, options: UploadOptions = {}): Promise<MediaRead> {
  const query = new URLSearchParams({ filename: file.name, size: String(file.size) });
  const started = await call("POST", `${UPLOADS}?${query}`, { signal: options.signal });
  if (started.status !== 201) fail(started);
  const upload = started.body as UploadRead;
  const chunk = Math.min(options.chunkBytes ?? upload.max_chunk_bytes, upload.max_chunk_bytes);
  let offset = upload.offset;
  let retries = 0;
  options.onProgress?.(offset, file.size);
  for (;;) {
    const end = Math.min(offset + chunk, file.size);
    let answer: Answer;
    try {
      answer = await call("PATCH", upload.upload_url, {
        headers: { "Upload-Offset": String(offset), "Content-Type": "application/octet-stream" },
        body: file.slice(offset, end),
        signal: options.signal,
        onProgress: (sent) => options.onProgress?.(offset + sent, file.size),
      });
    } catch (error) {
      if (!(error instanceof NetworkError) || retries >= RETRIES) throw error;
      retries += 1;
      offset = await serverOffset(upload.upload_url, options.signal);
      continue;
    }
    if (answer.status === 409) {
      // The server has a different offset (a chunk arrived though its answer was lost).
      offset = await serverOffset(upload.upload_url, options.signal);
      continue;
    }
    if (answer.status !== 200) fail(answer);
    const state = answer.body as UploadRead;
    offset = state.offset;
    options.onProgress?.(offset, file.size);
    if (state.media) return state.media;
    retries = 0;
  }
}

async function serverOffset(url: string, signal?: AbortSignal): Promise<number> {
  const answer = await call("HEAD", url, { signal });
  if (answer.status !== 204) fail(answer);
  return Number(answer.headers("Upload-Offset") ?? 0);
}
