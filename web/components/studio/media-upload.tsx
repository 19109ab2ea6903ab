"use client";

import { useId, useRef, useState } from "react";

import { Button } from "@/components/ui/button";
import { ProgressBar } from "@/components/ui/progress-bar";

import { uploadResumable, type MediaRead } from "./upload";

/** How long the browser may take to read a video's duration before we stop waiting. */
const METADATA_TIMEOUT_MS = 3_000;

function videoDuration(file: File): Promise<number | null> {
  return new Promise((resolve) => {
    const video = document.createElement("video");
    const url = URL.createObjectURL(file);
    const done = (seconds: number | null) => {
      URL.revokeObjectURL(url);
      resolve(seconds);
    };
    const timer = setTimeout(() => done(null), METADATA_TIMEOUT_MS);
    video.preload = "metadata";
    video.onloadedmetadata = () => {
      clearTimeout(timer);
      done(Number.isFinite(video.duration) && video.duration > 0 ? Math.ceil(video.duration) : null);
    };
    video.onerror = () => {
      clearTimeout(timer);
      done(null);
    };
    video.src = url;
  });
}

/** Picks a file and uploads it resumably, with a progress bar; a refused file says why. */
export function MediaUpload({
  accept,
  onUploaded,
}: {
  accept: string;
  onUploaded: (media: MediaRead, durationSeconds: number | null) => void;
}) {
  const inputId = useId();
  const [progress, setProgress] = useState<{ sent: number; total: number } | null>(null);
  const [state, setState] = useState<"idle" | "uploading" | "done" | "failed">("idle");
  const [message, setMessage] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);

  async function upload(file: File) {
    const controller = new AbortController();
    abort.current = controller;
    setState("uploading");
    setMessage(null);
    setProgress({ sent: 0, total: file.size });
    try {
      const [media, seconds] = await Promise.all([
        uploadResumable(file, {
          signal: controller.signal,
          onProgress: (sent, total) => setProgress({ sent, total }),
        }),
        file.type.startsWith("video/") ? videoDuration(file) : Promise.resolve(null),
      ]);
      setState("done");
      setMessage(`Uploaded ${media.original_filename}.`);
      onUploaded(media, seconds);
    } catch (caught) {
      setState("failed");
      setMessage(`Upload refused: ${caught instanceof Error ? caught.message : "it failed"}`);
    } finally {
      abort.current = null;
    }
  }

  const percent = progress && progress.total > 0 ? (progress.sent / progress.total) * 100 : 0;
  return (
    <div className="flex flex-col gap-2">
      <label htmlFor={inputId} className="text-sm font-medium">
        Media file
      </label>
      <input
        id={inputId}
        type="file"
        accept={accept}
        disabled={state === "uploading"}
        onChange={(event) => {
          const file = event.target.files?.[0];
          if (file) void upload(file);
        }}
        className="text-sm"
      />
      {state === "uploading" && progress && (
        <div className="flex items-center gap-3">
          <ProgressBar value={percent} label="Upload progress" />
          <span className="text-sm tabular-nums">{Math.round(percent)}%</span>
          <Button variant="ghost" onClick={() => abort.current?.abort()}>
            Cancel
          </Button>
        </div>
      )}
      {message && (
        <p role={state === "failed" ? "alert" : "status"} className={state === "failed" ? "text-sm text-red-700 dark:text-red-300" : "text-sm"}>
          {message}
        </p>
      )}
    </div>
  );
}
