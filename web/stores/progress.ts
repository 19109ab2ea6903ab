import { create } from "zustand";
import { createJSONStorage, persist } from "zustand/middleware";

import { api, unwrap, type Schemas } from "@/lib/api/client";

export type QueuedEvent = Schemas["ProgressEvent"] | Schemas["AttemptEvent"];
type Report = Partial<Omit<Schemas["ProgressEvent"], "kind" | "idempotency_key" | "content_id">>;
type BatchResult = Schemas["BatchEventResult"];

/** The batch endpoint's limit (MAX_BATCH_EVENTS on the server). */
const BATCH_SIZE = 500;

export interface OptimisticItem {
  completed: boolean;
  percent: number;
}

interface ProgressState {
  /** Reports not yet acknowledged by the server, oldest first; survives reloads and going offline. */
  queue: QueuedEvent[];
  /** What the learner did here, shown before the server confirms it. */
  optimistic: Record<string, OptimisticItem>;
  flushing: boolean;
  /** Reports refused for good (e.g. the item was unpublished), for the learner to see. */
  rejected: { contentId: string; detail: string }[];
  report: (contentId: string, report: Report) => Promise<void>;
  enqueueAttempt: (event: Omit<Schemas["AttemptEvent"], "kind">) => void;
  flush: () => Promise<BatchResult[]>;
  /** Forgets everything (on sign-out: the queue belongs to the account that made it). */
  reset: () => void;
}

/** Failed events worth sending again: conflicts (a request in flight) and server errors. */
function retryable(result: BatchResult): boolean {
  const status = result.error?.status ?? 0;
  return status === 409 || status >= 500;
}

const flushListeners = new Set<(results: BatchResult[]) => void>();

/** Called after every flush that reached the server (to revalidate what it changed). */
export function onFlushed(listener: (results: BatchResult[]) => void): () => void {
  flushListeners.add(listener);
  return () => flushListeners.delete(listener);
}

export const useProgress = create<ProgressState>()(
  persist(
    (set, get) => ({
      queue: [],
      optimistic: {},
      flushing: false,
      rejected: [],

      async report(contentId, report) {
        const event: QueuedEvent = {
          kind: "progress",
          idempotency_key: crypto.randomUUID(),
          content_id: contentId,
          occurred_at: new Date().toISOString(),
          completed: false,
          time_spent_seconds: 0,
          ...report,
        };
        set((state) => {
          const before = state.optimistic[contentId] ?? { completed: false, percent: 0 };
          return {
            queue: [...state.queue, event],
            optimistic: {
              ...state.optimistic,
              [contentId]: {
                completed: before.completed || Boolean(report.completed),
                percent: Math.max(before.percent, report.completion_percentage ?? 0),
              },
            },
          };
        });
        await get().flush();
      },

      enqueueAttempt(event) {
        set((state) => ({ queue: [...state.queue, { ...event, kind: "quiz_attempt" }] }));
      },

      async flush() {
        const { queue, flushing } = get();
        if (flushing || queue.length === 0) return [];
        if (typeof navigator !== "undefined" && !navigator.onLine) return [];
        const events = queue.slice(0, BATCH_SIZE);
        set({ flushing: true });
        try {
          const { results } = await unwrap(
            api.POST("/api/v1/progress/batch", { body: { events } }),
          );
          const keep = new Set(results.filter(retryable).map((result) => result.idempotency_key));
          const rejected = results
            .filter((result) => result.outcome === "failed" && !retryable(result))
            .map((result) => ({
              contentId: events[result.index]?.content_id ?? "",
              detail: result.error?.detail ?? "refused",
            }));
          set((state) => ({
            queue: [
              ...events.filter((event) => keep.has(event.idempotency_key)),
              ...state.queue.slice(events.length),
            ],
            rejected: [...state.rejected, ...rejected],
          }));
          flushListeners.forEach((listener) => listener(results));
          return results;
        } catch {
          // Offline, the server down, or signed out: everything stays queued with its keys, to
          // be replayed later (the keys make a replay of what did arrive harmless).
          return [];
        } finally {
          set({ flushing: false });
        }
      },

      reset() {
        set({ queue: [], optimistic: {}, rejected: [] });
      },
    }),
    {
      name: "learnwise-progress",
      storage: createJSONStorage(() => localStorage),
      partialize: (state) => ({ queue: state.queue, optimistic: state.optimistic }),
    },
  ),
);
