import { beforeEach, describe, expect, it } from "vitest";

import { useProgress, type QueuedEvent } from "@/stores/progress";
import { useSession } from "@/stores/session";

import { json, mockFetch } from "./fetch-mock";

const LESSON = "11111111-1111-4111-8111-111111111111";

function applied(events: QueuedEvent[]) {
  return {
    applied: events.length,
    replayed: 0,
    failed: 0,
    results: events.map((event, index) => ({
      index,
      idempotency_key: event.idempotency_key,
      kind: event.kind,
      outcome: "applied",
    })),
  };
}

function setOnline(online: boolean) {
  Object.defineProperty(navigator, "onLine", { configurable: true, get: () => online });
}

beforeEach(() => {
  setOnline(true);
  useProgress.setState({ queue: [], optimistic: {}, rejected: [], flushing: false });
  useSession.setState({ accessToken: "token", status: "signed-in" });
});

describe("progress store", () => {
  it("shows a completion at once and sends it through the batch endpoint", async () => {
    const calls = mockFetch((call) => json(applied((call.body as { events: QueuedEvent[] }).events)));

    await useProgress.getState().report(LESSON, { completed: true, content_version: 2 });

    expect(useProgress.getState().optimistic[LESSON]).toEqual({ completed: true, percent: 0 });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.path).toBe("/api/v1/progress/batch");
    expect(calls[0]?.headers.get("Authorization")).toBe("Bearer token");
    const [event] = (calls[0]?.body as { events: QueuedEvent[] }).events;
    expect(event).toMatchObject({ kind: "progress", content_id: LESSON, completed: true });
    expect(event?.idempotency_key).toMatch(/^[0-9a-f-]{36}$/);
    expect(useProgress.getState().queue).toEqual([]);
  });

  it("keeps reports while offline and replays them later with the same keys", async () => {
    setOnline(false);
    const calls = mockFetch((call) => json(applied((call.body as { events: QueuedEvent[] }).events)));

    await useProgress.getState().report(LESSON, { time_spent_seconds: 15 });
    await useProgress.getState().report(LESSON, { completed: true });

    expect(calls).toHaveLength(0);
    const queued = useProgress.getState().queue.map((event) => event.idempotency_key);
    expect(queued).toHaveLength(2);
    expect(useProgress.getState().optimistic[LESSON]?.completed).toBe(true);
    expect(JSON.parse(localStorage.getItem("learnwise-progress") ?? "{}").state.queue).toHaveLength(2);

    setOnline(true);
    await useProgress.getState().flush();

    const sent = (calls[0]?.body as { events: QueuedEvent[] }).events;
    expect(sent.map((event) => event.idempotency_key)).toEqual(queued);
    expect(useProgress.getState().queue).toEqual([]);
  });

  it("keeps everything queued when the server cannot be reached", async () => {
    mockFetch(() => {
      throw new TypeError("Failed to fetch");
    });

    await useProgress.getState().report(LESSON, { time_spent_seconds: 5 });

    expect(useProgress.getState().queue).toHaveLength(1);
    expect(useProgress.getState().flushing).toBe(false);
  });

  it("retries conflicts and server errors, and drops what the server refused for good", async () => {
    mockFetch((call) => {
      const events = (call.body as { events: QueuedEvent[] }).events;
      const outcome = (status: number, code: string) => ({
        outcome: "failed",
        error: { status, code, title: code, detail: `${code} detail` },
      });
      const failures = [outcome(409, "request-in-flight"), outcome(503, "unavailable"), outcome(403, "enrollment-required")];
      return json({
        applied: 0,
        replayed: 0,
        failed: 3,
        results: events.map((event, index) => ({
          index,
          idempotency_key: event.idempotency_key,
          kind: event.kind,
          ...failures[index],
        })),
      });
    });
    setOnline(false);
    for (const seconds of [1, 2, 3]) {
      await useProgress.getState().report(LESSON, { time_spent_seconds: seconds });
    }
    setOnline(true);

    await useProgress.getState().flush();

    const left = useProgress.getState().queue.map((event) => (event as { time_spent_seconds: number }).time_spent_seconds);
    expect(left).toEqual([1, 2]);
    expect(useProgress.getState().rejected).toEqual([
      { contentId: LESSON, detail: "enrollment-required detail" },
    ]);
  });

  it("queues quiz attempts with their own key", () => {
    useProgress.getState().enqueueAttempt({
      content_id: LESSON,
      idempotency_key: "key-1",
      content_version: 1,
      answers: { q1: "a" },
      question_seconds: {},
    });
    expect(useProgress.getState().queue[0]).toMatchObject({ kind: "quiz_attempt", idempotency_key: "key-1" });
  });
});
