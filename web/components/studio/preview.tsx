"use client";

import useSWR from "swr";

import { Markdown } from "@/components/ui/markdown";
import { api, unwrap } from "@/lib/api/client";

/** Markdown as the learner will see it, rendered as the author types (sanitised). */
export function MarkdownPreview({ markdown }: { markdown: string }) {
  return <Markdown text={markdown} className="flex flex-col gap-3" />;
}

interface QuestionView {
  id: string;
  type: string;
  prompt: string;
  options?: { id: string; text: string }[];
}

/** The quiz as a learner sees it (no answer key). */
export function QuizPreview({ instructions, questions }: { instructions: string; questions: QuestionView[] }) {
  return (
    <div className="flex flex-col gap-4">
      {instructions && <MarkdownPreview markdown={instructions} />}
      {questions.map((question, index) => (
        <fieldset key={question.id} className="rounded-md border border-slate-200 p-3 dark:border-slate-700">
          <legend className="px-1 font-medium">
            {index + 1}. {question.prompt}
          </legend>
          {question.type === "single_choice" || question.type === "multiple_choice" ? (
            <ul className="mt-1 flex flex-col gap-1">
              {question.options?.map((option) => (
                <li key={option.id}>○ {option.text}</li>
              ))}
            </ul>
          ) : question.type === "true_false" ? (
            <p className="mt-1">○ True ○ False</p>
          ) : (
            <p className="mt-1 text-slate-600 dark:text-slate-300">[ an answer box ]</p>
          )}
        </fieldset>
      ))}
    </div>
  );
}

/** The uploaded video, played through a signed URL (a video element cannot send a token). */
export function VideoPreview({ mediaId, seconds }: { mediaId: string; seconds: number }) {
  const signed = useSWR(["studio", "signed-media", mediaId], () =>
    unwrap(api.POST("/api/v1/media/{media_id}/signed-url", { params: { path: { media_id: mediaId } } })),
  );
  return (
    <div className="flex flex-col gap-2">
      {signed.data ? (
        <video controls preload="metadata" src={signed.data.url} className="w-full rounded bg-black">
          <track kind="captions" />
        </video>
      ) : (
        <p className="text-sm">{signed.error ? "The video cannot be shown." : "Loading the video…"}</p>
      )}
      <p className="text-sm text-slate-600 dark:text-slate-300">{seconds} seconds</p>
    </div>
  );
}
