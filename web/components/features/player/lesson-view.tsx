"use client";

import { useEffect, useRef } from "react";

import { MarkComplete } from "@/components/features/player/mark-complete";
import type { Schemas } from "@/lib/api/client";
import { demoteHeadings } from "@/lib/headings";
import { useReadingTime } from "@/lib/hooks/use-reading-time";
import { useProgress } from "@/stores/progress";

/** How far down the lesson the reader got, in percent (the server completes it at 90%). */
function scrollDepth(element: HTMLElement): number {
  const { top, height } = element.getBoundingClientRect();
  if (height <= 0) return 100;
  const seen = window.innerHeight - top;
  return Math.round(Math.min(Math.max(seen / height, 0), 1) * 100);
}

/** A lesson: HTML rendered and sanitized by the API (content/render.py), under the item's h1. */
export function LessonView({ item, html }: { item: Schemas["ItemRead"]; html: string }) {
  const article = useRef<HTMLDivElement>(null);
  const depth = useRef(0);
  const report = useProgress((state) => state.report);

  useEffect(() => {
    const measure = () => {
      if (article.current) depth.current = Math.max(depth.current, scrollDepth(article.current));
    };
    measure();
    window.addEventListener("scroll", measure, { passive: true });
    return () => window.removeEventListener("scroll", measure);
  }, []);

  useReadingTime((seconds) =>
    void report(item.content_id, {
      time_spent_seconds: seconds,
      completion_percentage: depth.current,
      content_version: item.version,
    }),
  );

  return (
    <div className="flex flex-col gap-6">
      <div ref={article} className="lesson" dangerouslySetInnerHTML={{ __html: demoteHeadings(html) }} />
      <MarkComplete item={item} />
    </div>
  );
}
