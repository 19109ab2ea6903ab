"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import { mutate } from "swr";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ProgressBar } from "@/components/ui/progress-bar";
import { api, unwrap, type Schemas } from "@/lib/api/client";

import { editableContent, etagOf } from "./conflict";
import { studioKeys } from "./data";

type Item = Schemas["ItemRead"];
type Generation = Schemas["GenerationRead"];
type Output = "quiz" | "summary" | "flashcards" | "objectives";

const OUTPUTS: { value: Output; label: string }[] = [
  { value: "quiz", label: "Quiz questions" },
  { value: "summary", label: "Summary" },
  { value: "flashcards", label: "Flashcards" },
  { value: "objectives", label: "Learning objectives" },
];

const POLL_MS = 500;

/**
 * Follows the ai.generate job until it ends (its progress reported as it goes), then reads the
 * finished generation.
 */
async function finished(
  queued: Generation,
  onProgress: (progress: { value: number; message: string }) => void,
): Promise<Generation> {
  if (queued.job_id) {
    for (;;) {
      const job = await unwrap(api.GET("/api/v1/jobs/{job_id}", { params: { path: { job_id: queued.job_id } } }));
      onProgress({ value: job.progress, message: job.message ?? (job.status === "queued" ? "Waiting for a worker" : "Drafting") });
      if (job.status !== "queued" && job.status !== "running") break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
  return unwrap(
    api.GET("/api/v1/ai/generations/{generation_id}", { params: { path: { generation_id: queued.generation_id } } }),
  );
}

/** The AI assistant: drafts questions and study material from this item, for review. */
export function AiAssistant({ courseId, item, source }: { courseId: string; item: Item; source: string }) {
  const [outputs, setOutputs] = useState<Output[]>(["quiz"]);
  const [count, setCount] = useState(5);
  const [state, setState] = useState<"idle" | "working" | "review" | "accepted" | "discarded">("idle");
  const [generation, setGeneration] = useState<Generation | null>(null);
  const [kept, setKept] = useState<boolean[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [elapsed, setElapsed] = useState(0);
  const [progress, setProgress] = useState<{ value: number; message: string } | null>(null);

  useEffect(() => {
    if (state !== "working") return;
    const started = Date.now();
    const timer = setInterval(() => setElapsed(Math.floor((Date.now() - started) / 1000)), 250);
    return () => clearInterval(timer);
  }, [state]);

  async function generate() {
    setState("working");
    setElapsed(0);
    setProgress(null);
    setError(null);
    try {
      const queued = await unwrap(
        api.POST("/api/v1/ai/generate", {
          body: { content_id: item.content_id, outputs, question_count: count, language: "en" },
        }),
      );
      const made = await finished(queued, setProgress);
      if (made.status !== "succeeded") throw new Error(made.error ?? "Generation failed.");
      setGeneration(made);
      setKept((made.result?.questions ?? []).map(() => true));
      setState("review");
      await mutate(studioKeys.course(courseId));
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : "Generation failed.");
      setState("idle");
    }
  }

  async function deleteDraft(contentId: string) {
    await unwrap(api.DELETE("/api/v1/items/{content_id}", { params: { path: { content_id: contentId } } }));
  }

  /** Keeps the drafts, with only the questions kept, for editing and publishing later. */
  async function accept() {
    if (!generation) return;
    setError(null);
    try {
      const quiz = generation.drafts.find((draft) => draft.type === "quiz");
      if (quiz && !kept.every(Boolean)) {
        if (!kept.some(Boolean)) {
          await deleteDraft(quiz.content_id);
        } else {
          const current = await unwrap(
            api.GET("/api/v1/items/{content_id}", { params: { path: { content_id: quiz.content_id }, query: { view: "draft" } } }),
          );
          const questions = (current.content.questions as { id: string }[]).filter((_, index) => kept[index]);
          await unwrap(
            api.PATCH("/api/v1/items/{content_id}", {
              params: { path: { content_id: quiz.content_id } },
              headers: { "If-Match": etagOf(current.version) },
              body: {
                content: { ...editableContent(current.content), questions: editableContent({ questions }).questions } as Schemas["ItemUpdate"]["content"],
                change_note: "Kept the reviewed questions",
              },
            }),
          );
        }
      }
      setState("accepted");
      await mutate(studioKeys.course(courseId));
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : "Accepting failed.");
    }
  }

  async function discard() {
    if (!generation) return;
    setError(null);
    try {
      await Promise.all(generation.drafts.map((draft) => deleteDraft(draft.content_id)));
      setState("discarded");
      await mutate(studioKeys.course(courseId));
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : "Discarding failed.");
    }
  }

  const made = generation?.result;
  const result = made && {
    summary: made.summary ?? "",
    questions: made.questions ?? [],
    learning_objectives: made.learning_objectives ?? [],
    flashcards: made.flashcards ?? [],
  };
  return (
    <Card aria-labelledby="assistant-heading" className="flex flex-col gap-3">
      <h2 id="assistant-heading" className="text-lg font-semibold">
        AI assistant
      </h2>
      {(state === "idle" || state === "accepted" || state === "discarded") && (
        <div className="flex flex-col gap-3">
          <fieldset className="flex flex-wrap gap-4">
            <legend className="mb-1 text-sm font-medium">Draft from this item</legend>
            {OUTPUTS.map((output) => (
              <label key={output.value} className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  checked={outputs.includes(output.value)}
                  onChange={(event) =>
                    setOutputs(event.target.checked ? [...outputs, output.value] : outputs.filter((o) => o !== output.value))
                  }
                />
                {output.label}
              </label>
            ))}
          </fieldset>
          <label className="flex items-center gap-2 text-sm">
            Questions
            <input
              type="number"
              min={1}
              max={30}
              value={count}
              onChange={(event) => setCount(Number(event.target.value))}
              className="w-20 rounded-md border border-slate-400 bg-white px-2 py-1 dark:border-slate-500 dark:bg-slate-900"
            />
          </label>
          <div>
            <Button onClick={() => void generate()} disabled={outputs.length === 0 || !source.trim()}>
              Generate drafts
            </Button>
          </div>
          {state === "accepted" && (
            <p role="status">
              The drafts are in the module, unpublished.{" "}
              {generation?.drafts.map((draft) => (
                <Link key={draft.content_id} className="mr-2 underline" href={`/studio/courses/${courseId}/items/${draft.content_id}`}>
                  Open {draft.title}
                </Link>
              ))}
            </p>
          )}
          {state === "discarded" && <p role="status">The drafts were discarded.</p>}
        </div>
      )}
      {state === "working" && (
        <div role="status" aria-live="polite" className="flex items-center gap-3">
          <span aria-hidden="true" className="size-4 animate-spin rounded-full border-2 border-slate-300 border-t-blue-700" />
          {progress?.message ?? "Waiting for a worker"}… {elapsed} s
        </div>
      )}
      {state === "working" && progress && (
        <ProgressBar value={progress.value * 100} label="Drafting progress" />
      )}
      {state === "review" && generation && result && (
        <div className="flex flex-col gap-3">
          <p className="text-sm">
            Drafted by the {generation.engine === "llm" ? "language model" : "offline generator"}. Review, untick what you do
            not want, then accept.
          </p>
          <div className="grid gap-4 lg:grid-cols-2">
            <section aria-label="Source" className="max-h-96 overflow-y-auto rounded border border-slate-200 p-3 text-sm whitespace-pre-wrap dark:border-slate-700">
              <h3 className="mb-2 font-semibold">Source: {item.title}</h3>
              {source}
            </section>
            <section aria-label="Generated drafts" className="flex max-h-96 flex-col gap-3 overflow-y-auto rounded border border-slate-200 p-3 text-sm dark:border-slate-700">
              <h3 className="font-semibold">Generated</h3>
              {result.questions.length > 0 && (
                <ol className="flex flex-col gap-2">
                  {result.questions.map((question, index) => (
                    <li key={index}>
                      <label className="flex items-start gap-2">
                        <input
                          type="checkbox"
                          checked={kept[index] ?? false}
                          onChange={(event) => setKept(kept.map((value, at) => (at === index ? event.target.checked : value)))}
                        />
                        <span>
                          <span className="font-medium">{question.prompt}</span>
                          <span className="block">Answer: {question.answer}</span>
                          {(question.distractors ?? []).length > 0 && (
                            <span className="block text-slate-600 dark:text-slate-300">Wrong: {question.distractors?.join(" · ")}</span>
                          )}
                        </span>
                      </label>
                    </li>
                  ))}
                </ol>
              )}
              {result.summary && (
                <div>
                  <h4 className="font-medium">Summary</h4>
                  <p>{result.summary}</p>
                </div>
              )}
              {result.learning_objectives.length > 0 && (
                <div>
                  <h4 className="font-medium">Learning objectives</h4>
                  <ul className="list-disc pl-5">
                    {result.learning_objectives.map((line) => (
                      <li key={line}>{line}</li>
                    ))}
                  </ul>
                </div>
              )}
              {result.flashcards.length > 0 && (
                <div>
                  <h4 className="font-medium">Flashcards</h4>
                  <dl>
                    {result.flashcards.map((card) => (
                      <div key={card.front} className="mb-1">
                        <dt className="font-medium">{card.front}</dt>
                        <dd>{card.back}</dd>
                      </div>
                    ))}
                  </dl>
                </div>
              )}
            </section>
          </div>
          <div className="flex flex-wrap gap-2">
            <Button onClick={() => void accept()}>Accept into drafts</Button>
            <Button variant="secondary" onClick={() => void discard()}>
              Discard
            </Button>
          </div>
        </div>
      )}
      {error && (
        <p role="alert" className="text-red-700 dark:text-red-300">
          {error}
        </p>
      )}
    </Card>
  );
}
