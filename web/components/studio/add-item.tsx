"use client";

import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";

import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { api, unwrap, type Schemas } from "@/lib/api/client";

import { MediaUpload } from "./media-upload";
import type { MediaRead } from "./upload";

type Kind = "lesson" | "video" | "quiz";

/** What a new item starts with: the smallest valid content of its type, to be edited next. */
export function starterContent(kind: Exclude<Kind, "video">, title: string): Schemas["ItemCreate"]["content"] {
  if (kind === "lesson") return { type: "lesson", body: `# ${title}\n\nWrite the lesson here.` };
  return {
    type: "quiz",
    instructions: "",
    passing_score: 0.7,
    questions: [
      { type: "true_false", id: "q1", prompt: "Replace this question.", correct: true, explanation: "", points: 1, skills: [] },
    ],
  };
}

/** Adds a lesson, a video (uploaded here) or a quiz to a module, then opens it in the editor. */
export function AddItem({ courseId, moduleId, moduleTitle }: { courseId: string; moduleId: string; moduleTitle: string }) {
  const router = useRouter();
  const typeId = useId();
  const [kind, setKind] = useState<Kind>("lesson");
  const [media, setMedia] = useState<{ media: MediaRead; seconds: number | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const title = String(form.get("title") ?? "").trim();
    let content: Schemas["ItemCreate"]["content"];
    if (kind === "video") {
      const seconds = Number(form.get("duration"));
      if (!media) return setError("Upload the video first.");
      content = { type: "video", media_id: media.media.media_id, duration_seconds: seconds, captions: [] };
    } else {
      content = starterContent(kind, title);
    }
    setBusy(true);
    setError(null);
    try {
      const item = await unwrap(
        api.POST("/api/v1/courses/{course_id}/modules/{module_id}/items", {
          params: { path: { course_id: courseId, module_id: moduleId } },
          body: { title, content, is_required: true, change_note: "" },
        }),
      );
      router.push(`/studio/courses/${courseId}/items/${item.content_id}`);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : "The item could not be created.");
      setBusy(false);
    }
  }

  return (
    <details className="rounded-md border border-dashed border-slate-300 p-2 dark:border-slate-600">
      <summary className="cursor-pointer text-sm font-medium">Add an item to {moduleTitle}</summary>
      <form onSubmit={create} className="mt-2 flex flex-col gap-3">
        <div className="flex flex-wrap items-end gap-3">
          <div className="flex flex-col gap-1">
            <label htmlFor={typeId} className="text-sm font-medium">
              Type
            </label>
            <select
              id={typeId}
              value={kind}
              onChange={(event) => setKind(event.target.value as Kind)}
              className="rounded-md border border-slate-400 bg-white px-3 py-2 dark:border-slate-500 dark:bg-slate-900"
            >
              <option value="lesson">Lesson</option>
              <option value="video">Video</option>
              <option value="quiz">Quiz</option>
            </select>
          </div>
          <Field label="Item title" name="title" required maxLength={255} />
        </div>
        {kind === "video" && (
          <>
            <MediaUpload accept="video/*" onUploaded={(uploaded, seconds) => setMedia({ media: uploaded, seconds })} />
            {media && (
              <Field
                key={media.media.media_id}
                label="Duration (seconds)"
                name="duration"
                type="number"
                min={1}
                max={86400}
                required
                defaultValue={media.seconds ?? undefined}
                hint="Read from the video when the browser can; check it."
              />
            )}
          </>
        )}
        <div>
          <Button type="submit" variant="secondary" disabled={busy || (kind === "video" && !media)}>
            {busy ? "Adding…" : "Add item"}
          </Button>
        </div>
        {error && (
          <p role="alert" className="text-sm text-red-700 dark:text-red-300">
            {error}
          </p>
        )}
      </form>
    </details>
  );
}
