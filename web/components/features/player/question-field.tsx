"use client";

import { Markdown } from "@/components/ui/markdown";
import type { Schemas } from "@/lib/api/client";

/** A question as a learner sees it: the prompt and options, never the answer key. */
export interface Question {
  id: string;
  type: "single_choice" | "multiple_choice" | "true_false" | "numeric" | "short_answer";
  prompt: string;
  prompt_html?: string;
  options?: Schemas["Choice"][];
  unit?: string;
  explanation_html?: string;
}

export type Answer = string | string[] | boolean | number;

const inputClass =
  "rounded-md border border-slate-400 bg-white px-3 py-2 dark:border-slate-500 dark:bg-slate-900";

export function QuestionField({
  number,
  question,
  value,
  onChange,
  feedback,
  disabled,
}: {
  number: number;
  question: Question;
  value: Answer | undefined;
  onChange: (value: Answer) => void;
  feedback?: Schemas["QuestionFeedback"];
  disabled: boolean;
}) {
  const name = `question-${question.id}`;
  // Floated so that a prompt with blocks (code, paragraphs) stays inside the fieldset's border.
  const legend = (
    <legend className="float-left mb-2 flex w-full gap-2 font-medium">
      <span>{number}.</span>
      {question.prompt_html ? (
        <div className="lesson" dangerouslySetInnerHTML={{ __html: question.prompt_html }} />
      ) : (
        <span>{question.prompt}</span>
      )}
    </legend>
  );

  let control;
  switch (question.type) {
    case "single_choice":
    case "multiple_choice": {
      const multiple = question.type === "multiple_choice";
      const chosen = Array.isArray(value) ? value : [];
      control = (question.options ?? []).map((option) => (
        <label key={option.id} className="flex items-center gap-2">
          <input
            type={multiple ? "checkbox" : "radio"}
            name={name}
            value={option.id}
            disabled={disabled}
            checked={multiple ? chosen.includes(option.id) : value === option.id}
            onChange={(event) =>
              onChange(
                multiple
                  ? event.target.checked
                    ? [...chosen, option.id]
                    : chosen.filter((id) => id !== option.id)
                  : option.id,
              )
            }
          />
          {option.text}
        </label>
      ));
      break;
    }
    case "true_false":
      control = [true, false].map((choice) => (
        <label key={String(choice)} className="flex items-center gap-2">
          <input
            type="radio"
            name={name}
            disabled={disabled}
            checked={value === choice}
            onChange={() => onChange(choice)}
          />
          {choice ? "True" : "False"}
        </label>
      ));
      break;
    case "numeric":
      control = (
        <label className="flex items-center gap-2">
          <span className="sr-only">Your answer</span>
          <input
            type="number"
            step="any"
            name={name}
            disabled={disabled}
            className={inputClass}
            value={typeof value === "number" ? value : ""}
            onChange={(event) => onChange(event.target.valueAsNumber)}
          />
          {question.unit}
        </label>
      );
      break;
    default:
      control = (
        <label className="flex flex-col gap-1">
          <span className="sr-only">Your answer</span>
          <input
            type="text"
            name={name}
            maxLength={2000}
            disabled={disabled}
            className={inputClass}
            value={typeof value === "string" ? value : ""}
            onChange={(event) => onChange(event.target.value)}
          />
        </label>
      );
  }

  return (
    <fieldset className="rounded-lg border border-slate-200 p-4 dark:border-slate-700">
      {legend}
      <div className="clear-both flex flex-col gap-2">{control}</div>
      {feedback && feedback.correct !== null && feedback.correct !== undefined && (
        <p
          className={`mt-3 text-sm font-medium ${feedback.correct ? "text-green-800 dark:text-green-300" : "text-red-700 dark:text-red-300"}`}
        >
          {feedback.correct ? "Correct" : feedback.answered ? "Not quite" : "Not answered"}
        </p>
      )}
      {feedback?.explanation && <Markdown text={feedback.explanation} className="mt-1 text-sm" />}
    </fieldset>
  );
}
