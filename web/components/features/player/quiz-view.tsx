"use client";

import { useRef, useState, type FormEvent } from "react";
import { mutate } from "swr";

import { QuestionField, type Answer, type Question } from "@/components/features/player/question-field";
import { Button } from "@/components/ui/button";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { NetworkError } from "@/lib/api/errors";
import { demoteHeadings } from "@/lib/headings";
import { isProgressKey } from "@/lib/hooks/data";
import { useProgress } from "@/stores/progress";

type Result = Schemas["AttemptResult"];

/** A quiz: answers graded by the server, with the feedback the course allows. */
export function QuizView({ item }: { item: Schemas["ItemRead"] }) {
  const content = item.content as { instructions_html?: string; questions?: Question[] };
  const questions = content.questions ?? [];
  const [answers, setAnswers] = useState<Record<string, Answer>>({});
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [queued, setQueued] = useState(false);
  const [busy, setBusy] = useState(false);
  const startedAt = useRef(new Date().toISOString());

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const idempotencyKey = crypto.randomUUID();
    const attempt = {
      content_version: item.version,
      answers,
      started_at: startedAt.current,
      occurred_at: new Date().toISOString(),
      duration_seconds: Math.round((Date.now() - Date.parse(startedAt.current)) / 1000),
    };
    try {
      const graded = await unwrap(
        api.POST("/api/v1/items/{content_id}/attempts", {
          params: {
            path: { content_id: item.content_id },
            header: { "Idempotency-Key": idempotencyKey },
          },
          body: attempt,
        }),
      );
      setResult(graded);
      await mutate(isProgressKey);
    } catch (caught) {
      if (caught instanceof NetworkError) {
        // Graded when the connection is back: the same key makes a lost answer harmless.
        useProgress.getState().enqueueAttempt({
          ...attempt,
          content_id: item.content_id,
          idempotency_key: idempotencyKey,
        });
        setQueued(true);
      } else {
        setError(caught instanceof Error ? caught.message : "The attempt was not recorded.");
      }
    } finally {
      setBusy(false);
    }
  }

  const feedback = new Map(result?.questions.map((question) => [question.question_id, question]));
  return (
    <form onSubmit={submit} className="flex flex-col gap-6" aria-describedby="quiz-instructions">
      {content.instructions_html && (
        <div
          id="quiz-instructions"
          className="lesson"
          dangerouslySetInnerHTML={{ __html: demoteHeadings(content.instructions_html) }}
        />
      )}
      {questions.map((question, index) => (
        <QuestionField
          key={question.id}
          number={index + 1}
          question={question}
          value={answers[question.id]}
          onChange={(value) => setAnswers((current) => ({ ...current, [question.id]: value }))}
          feedback={feedback.get(question.id)}
          disabled={result !== null}
        />
      ))}
      {result && (
        <div
          role="status"
          className={`rounded-md p-4 ${result.passed ? "bg-green-50 text-green-900 dark:bg-green-950 dark:text-green-100" : "bg-amber-50 text-amber-900 dark:bg-amber-950 dark:text-amber-100"}`}
        >
          <p className="font-semibold">
            {result.passed ? "Passed" : "Not passed yet"}: {Math.round(result.score * 100)}%
          </p>
          <p className="text-sm">
            {result.points} of {result.max_points} points; {Math.round(result.passing_score * 100)}%
            needed.
          </p>
        </div>
      )}
      {queued && (
        <p role="status" className="rounded-md bg-amber-50 p-3 text-amber-900 dark:bg-amber-950 dark:text-amber-100">
          You are offline: your answers are saved and will be graded when the connection is back.
        </p>
      )}
      {error && (
        <p role="alert" className="text-red-700 dark:text-red-300">
          {error}
        </p>
      )}
      {result ? (
        <Button
          variant="secondary"
          className="self-start"
          onClick={() => {
            setResult(null);
            setAnswers({});
            startedAt.current = new Date().toISOString();
          }}
        >
          Try again
        </Button>
      ) : (
        <Button type="submit" className="self-start" disabled={busy || queued}>
          {busy ? "Submitting…" : "Submit answers"}
        </Button>
      )}
    </form>
  );
}
