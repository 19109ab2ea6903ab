"use client";

import { useEffect, type ReactNode } from "react";
import { SWRConfig, mutate } from "swr";

import { Toaster } from "@/components/ui/toaster";
import { ApiError } from "@/lib/api/errors";
import { restoreSession } from "@/lib/auth";
import { isProgressKey, useSettings } from "@/lib/hooks/data";
import { LiveConnection, liveUrl, type LiveEvent } from "@/lib/live";
import { applyTheme, usePreferences } from "@/stores/preferences";
import { onFlushed, useProgress } from "@/stores/progress";
import { useSession } from "@/stores/session";
import { useToasts } from "@/stores/toasts";

/** How often queued progress is retried while the page is open, in milliseconds. */
const FLUSH_INTERVAL_MS = 10_000;

function SessionBootstrap() {
  useEffect(() => {
    if (useSession.getState().status === "unknown") void restoreSession();
  }, []);
  return null;
}

function ThemeSync() {
  const theme = usePreferences((state) => state.theme);
  const setTheme = usePreferences((state) => state.setTheme);
  const { data: settings } = useSettings();
  useEffect(() => {
    if (settings) setTheme(settings.theme);
  }, [settings, setTheme]);
  useEffect(() => {
    applyTheme(theme);
    const query = window.matchMedia("(prefers-color-scheme: dark)");
    const follow = () => applyTheme(theme);
    query.addEventListener("change", follow);
    return () => query.removeEventListener("change", follow);
  }, [theme]);
  return null;
}

function handleLiveEvent(event: LiveEvent | null): void {
  if (event === null) {
    void mutate(() => true);
    return;
  }
  if (event.type === "achievement.awarded") {
    const { title, xp } = event.payload as { title?: string; xp?: number };
    useToasts.getState().show({
      tone: "success",
      title: `Achievement unlocked: ${title ?? "new achievement"}`,
      body: xp ? `+${xp} XP` : undefined,
    });
  }
  if (event.type === "course.completed") {
    useToasts.getState().show({ tone: "success", title: "Course completed. Well done!" });
  }
  void mutate(isProgressKey);
}

function LiveUpdates() {
  const signedIn = useSession((state) => state.status === "signed-in");
  useEffect(() => {
    if (!signedIn) return;
    const connection = new LiveConnection({
      url: liveUrl(),
      token: () => useSession.getState().accessToken,
      onEvent: handleLiveEvent,
      // Events between the page's first fetches and the subscription were not delivered.
      onFreshSubscription: () => void mutate(isProgressKey),
    });
    connection.start();
    const unsubscribe = useSession.subscribe((state, previous) => {
      if (state.accessToken && state.accessToken !== previous.accessToken) {
        connection.reauthenticate();
      }
    });
    return () => {
      unsubscribe();
      connection.stop();
    };
  }, [signedIn]);
  return null;
}

function ProgressSync() {
  const signedIn = useSession((state) => state.status === "signed-in");
  useEffect(() => {
    if (!signedIn) return;
    const flush = () => void useProgress.getState().flush();
    flush();
    window.addEventListener("online", flush);
    const timer = setInterval(flush, FLUSH_INTERVAL_MS);
    const unsubscribe = onFlushed(() => void mutate(isProgressKey));
    return () => {
      window.removeEventListener("online", flush);
      clearInterval(timer);
      unsubscribe();
    };
  }, [signedIn]);
  return null;
}

export function Providers({ children }: { children: ReactNode }) {
  return (
    <SWRConfig
      value={{
        // A 4xx will answer the same again; only server errors and network failures are retried.
        shouldRetryOnError: (error) => !(error instanceof ApiError && error.status < 500),
      }}
    >
      <SessionBootstrap />
      <ThemeSync />
      <LiveUpdates />
      <ProgressSync />
      {children}
      <Toaster />
    </SWRConfig>
  );
}
