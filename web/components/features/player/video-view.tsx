"use client";

import { useEffect, useRef } from "react";
import useSWR from "swr";

import { MarkComplete } from "@/components/features/player/mark-complete";
import { ErrorState, Loading } from "@/components/ui/states";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { useItemProgress } from "@/lib/hooks/data";
import { useReadingTime } from "@/lib/hooks/use-reading-time";
import { mergeRanges, resumePosition, type Range } from "@/lib/watched-ranges";
import { useProgress } from "@/stores/progress";

interface VideoContent {
  media_id: string;
  duration_seconds: number;
  transcript?: string | null;
}

/** A video with resume; the ranges watched are reported as it plays (90% completes it). */
export function VideoView({ item }: { item: Schemas["ItemRead"] }) {
  const content = item.content as unknown as VideoContent;
  const video = useRef<HTMLVideoElement>(null);
  const pending = useRef<Range[]>([]);
  const playingFrom = useRef<number | null>(null);
  const resumed = useRef(false);
  const report = useProgress((state) => state.report);
  const { data: progress } = useItemProgress(item.content_id);
  // <video> cannot send a token: the API signs a short-lived URL for it.
  const signed = useSWR(["signed-url", content.media_id], () =>
    unwrap(
      api.POST("/api/v1/media/{media_id}/signed-url", {
        params: { path: { media_id: content.media_id } },
      }),
    ),
    { revalidateOnFocus: false },
  );

  useEffect(() => {
    const element = video.current;
    if (!element || !progress || resumed.current) return;
    const resume = () => {
      element.currentTime = resumePosition(progress.watched_ranges as Range[], content.duration_seconds);
      resumed.current = true;
    };
    if (element.readyState >= 1) resume();
    else element.addEventListener("loadedmetadata", resume, { once: true });
  }, [progress, content.duration_seconds, signed.data]);

  function closeRange() {
    const element = video.current;
    if (element && playingFrom.current !== null && element.currentTime > playingFrom.current) {
      pending.current.push([playingFrom.current, element.currentTime]);
    }
    playingFrom.current = element && !element.paused ? element.currentTime : null;
  }

  useReadingTime((seconds) => {
    closeRange();
    const ranges = mergeRanges(pending.current);
    pending.current = [];
    if (ranges.length === 0 && video.current?.paused) return;
    void report(item.content_id, {
      time_spent_seconds: seconds,
      watched_ranges: ranges,
      content_version: item.version,
    });
  }, 10);

  if (signed.error) return <ErrorState error={signed.error} retry={() => void signed.mutate()} />;
  if (!signed.data) return <Loading label="Loading the video…" />;
  return (
    <div className="flex flex-col gap-4">
      <video
        ref={video}
        src={signed.data.url}
        controls
        preload="metadata"
        className="aspect-video w-full rounded-lg bg-black"
        onPlay={() => (playingFrom.current = video.current?.currentTime ?? 0)}
        onPause={closeRange}
        onSeeking={() => {
          closeRange();
          playingFrom.current = null;
        }}
        onSeeked={() => {
          if (video.current && !video.current.paused) playingFrom.current = video.current.currentTime;
        }}
        onEnded={closeRange}
      />
      {content.transcript && (
        <details>
          <summary className="cursor-pointer">Transcript</summary>
          <p className="mt-2 whitespace-pre-line">{content.transcript}</p>
        </details>
      )}
      <MarkComplete item={item} markable={false} />
    </div>
  );
}
