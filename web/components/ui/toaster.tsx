"use client";

import { useToasts } from "@/stores/toasts";

const tones = {
  info: "border-slate-300 bg-white dark:border-slate-600 dark:bg-slate-900",
  success: "border-green-600 bg-green-50 dark:border-green-500 dark:bg-green-950",
  error: "border-red-600 bg-red-50 dark:border-red-500 dark:bg-red-950",
};

/** Notifications, announced politely by screen readers; each can be dismissed. */
export function Toaster() {
  const { toasts, dismiss } = useToasts();
  return (
    <div
      aria-live="polite"
      className="fixed right-4 bottom-4 z-50 flex w-80 max-w-[calc(100vw-2rem)] flex-col gap-2"
    >
      {toasts.map((toast) => (
        <div
          key={toast.id}
          role="status"
          className={`rounded-md border p-3 shadow-lg ${tones[toast.tone]}`}
        >
          <div className="flex items-start justify-between gap-2">
            <p className="font-medium">{toast.title}</p>
            <button
              type="button"
              onClick={() => dismiss(toast.id)}
              className="rounded px-1 text-slate-600 hover:text-slate-900 dark:text-slate-300"
              aria-label={`Dismiss: ${toast.title}`}
            >
              ×
            </button>
          </div>
          {toast.body && <p className="text-sm">{toast.body}</p>}
        </div>
      ))}
    </div>
  );
}
