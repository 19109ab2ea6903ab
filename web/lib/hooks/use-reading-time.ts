"use client";

import { useEffect, useRef } from "react";

/**
 * Counts the seconds the page is visible and hands them to `flush` every `everySeconds` and
 * when the component goes away (time spent is reported as increments since the last report).
 */
export function useReadingTime(flush: (seconds: number) => void, everySeconds = 15): void {
  const flushRef = useRef(flush);
  useEffect(() => {
    flushRef.current = flush;
  });

  useEffect(() => {
    let visibleSince = document.visibilityState === "visible" ? Date.now() : null;
    let banked = 0;
    const take = () => {
      const now = Date.now();
      if (visibleSince !== null) banked += (now - visibleSince) / 1000;
      visibleSince = document.visibilityState === "visible" ? now : null;
      const whole = Math.floor(banked);
      banked -= whole;
      if (whole > 0) flushRef.current(whole);
    };
    const onVisibility = () => {
      if (document.visibilityState === "hidden") take();
      else visibleSince = Date.now();
    };
    const timer = setInterval(take, everySeconds * 1000);
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisibility);
      take();
    };
  }, [everySeconds]);
}
