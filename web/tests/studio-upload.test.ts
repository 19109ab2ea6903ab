import { afterEach, describe, expect, it, vi } from "vitest";

import { uploadResumable } from "@/components/studio/upload";
import { ApiError } from "@/lib/api/errors";
import { useSession } from "@/stores/session";

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Blob | null;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | "network-error";

/** Replaces XMLHttpRequest with one answering through `handler`; returns the requests it saw. */
function fakeXhr(handler: (sent: Sent) => Reply): Sent[] {
  const seen: Sent[] = [];
  class FakeXhr {
    upload: { onprogress: ((event: { loaded: number }) => void) | null } = { onprogress: null };
    onload: (() => void) | null = null;
    onerror: (() => void) | null = null;
    onabort: (() => void) | null = null;
    status = 0;
    responseText = "";
    private sent: Sent = { method: "", url: "", headers: {}, body: null };
    private replyHeaders: Record<string, string> = {};
    open(method: string, url: string) {
      this.sent = { method, url, headers: {}, body: null };
    }
    setRequestHeader(name: string, value: string) {
      this.sent.headers[name] = value;
    }
    getResponseHeader(name: string) {
      return this.replyHeaders[name] ?? null;
    }
    abort() {
      this.onabort?.();
    }
    send(body: Blob | null) {
      this.sent.body = body;
      seen.push(this.sent);
      const reply = handler(this.sent);
      queueMicrotask(() => {
        if (reply === "network-error") return this.onerror?.();
        if (body) this.upload.onprogress?.({ loaded: body.size });
        this.status = reply.status;
        this.responseText = reply.body === undefined ? "" : JSON.stringify(reply.body);
        this.replyHeaders = reply.headers ?? {};
        this.onload?.();
      });
    }
  }
  vi.stubGlobal("XMLHttpRequest", FakeXhr);
  return seen;
}

const media = { media_id: "m1", original_filename: "clip.mp4" };
const upload = (offset: number, done = false) => ({
  upload_id: "u1",
  upload_url: "/api/v1/media/uploads/u1",
  offset,
  max_chunk_bytes: 4,
  media: done ? media : null,
});

afterEach(() => {
  vi.unstubAllGlobals();
  useSession.getState().signedOut();
});

describe("resumable uploads", () => {
  it("sends the file in chunks from the server's offset, reporting progress, with the token", async () => {
    useSession.setState({ accessToken: "token-1" });
    const seen = fakeXhr((sent) => {
      if (sent.method === "POST") return { status: 201, body: upload(0) };
      const offset = Number(sent.headers["Upload-Offset"]) + (sent.body?.size ?? 0);
      return { status: 200, body: upload(offset, offset === 10) };
    });
    const progress: number[] = [];
    const file = new File(["0123456789"], "clip.mp4", { type: "video/mp4" });

    const stored = await uploadResumable(file, { onProgress: (sent) => progress.push(sent) });

    expect(stored).toEqual(media);
    expect(seen.map((sent) => `${sent.method} ${sent.headers["Upload-Offset"] ?? ""}`)).toEqual([
      "POST ",
      "PATCH 0",
      "PATCH 4",
      "PATCH 8",
    ]);
    expect(seen[0]?.url).toBe("/api/v1/media/uploads?filename=clip.mp4&size=10");
    expect(seen.every((sent) => sent.headers.Authorization === "Bearer token-1")).toBe(true);
    expect(progress.at(-1)).toBe(10);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it("resumes from the offset the server reports after a chunk is lost", async () => {
    let failed = false;
    const seen = fakeXhr((sent) => {
      if (sent.method === "POST") return { status: 201, body: upload(0) };
      if (sent.method === "HEAD") return { status: 204, headers: { "Upload-Offset": "4" } };
      const offset = Number(sent.headers["Upload-Offset"]);
      if (offset === 4 && !failed) {
        failed = true;
        return "network-error";
      }
      const reached = offset + (sent.body?.size ?? 0);
      return { status: 200, body: upload(reached, reached === 6) };
    });

    await uploadResumable(new File(["012345"], "clip.mp4"));

    expect(seen.map((sent) => `${sent.method} ${sent.headers["Upload-Offset"] ?? ""}`)).toEqual([
      "POST ",
      "PATCH 0",
      "PATCH 4",
      "HEAD ",
      "PATCH 4",
    ]);
  });

  it("rejects with the API's problem when the file is refused", async () => {
    fakeXhr((sent) =>
      sent.method === "POST"
        ? { status: 201, body: upload(0) }
        : { status: 415, body: { status: 415, code: "unsupported-media-type", title: "Unsupported", detail: "HTML is not accepted." } },
    );
    const refused = uploadResumable(new File(["<html>"], "trick.mp4"));
    await expect(refused).rejects.toBeInstanceOf(ApiError);
    await expect(refused).rejects.toMatchObject({ status: 415, message: "HTML is not accepted." });
  });
});
