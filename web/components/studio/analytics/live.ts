"use client";

import { useEffect, useState } from "react";
import { mutate } from "swr";

import { LiveConnection, liveUrl } from "@/lib/live";
import { useSession } from "@/stores/session";

import { isCourseActivityKey } from "../data";

/** Coalesces a burst of events (a quiz submission brings several) into one reload. */
const RELOAD_DELAY_MS = 400;

/**
 * Follows the course's live channel (its learners' progress, for its instructors) and reloads the
 * course's figures when something happens. Returns when the figures were last refreshed by it.
 */
export function useCourseLive(courseId: string): { connected: boolean; lastEventAt: Date | null } {
  const signedIn = useSession((state) => state.status === "signed-in");
  const [connected, setConnected] = useState(false);
  const [lastEventAt, setLastEventAt] = useState<Date | null>(null);

  useEffect(() => {
    if (!signedIn) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const reload = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void mutate(isCourseActivityKey(courseId)), RELOAD_DELAY_MS);
    };
    const connection = new LiveConnection({
      url: liveUrl(),
      token: () => useSession.getState().accessToken,
      channels: () => [`course:${courseId}`],
      onEvent: () => {
        setLastEventAt(new Date());
        reload();
      },
      onStatus: (status) => setConnected(status === "open"),
      onFreshSubscription: reload,
    });
    connection.start();
    const unsubscribe = useSession.subscribe((state, previous) => {
      if (state.accessToken && state.accessToken !== previous.accessToken) connection.reauthenticate();
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
      connection.stop();
    };
  }, [signedIn, courseId]);

  return { connected, lastEventAt };
}
