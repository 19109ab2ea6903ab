"use client";

import { useId } from "react";

import { Button } from "@/components/ui/button";

export interface Question {
  id: string;
  type: string;
  prompt: string;
  explanation?: string;
  points?: number;
  skills?: string[];
  options?: { id: string; text: string }[];
  correct?: string | string[] | boolean;
  accepted_answers?: string[];
  [key: string]: unknown;
}

const input =
  "rounded-md border border-slate-400 bg-white px-3 py-2 text-slate-900 dark:border-slate-500 dark:bg-slate-900 dark:text-slate-100";

/** The next free id of the form `<prefix><n>`. */
export function nextId(prefix: string, taken: string[]): string {
  let n = taken.length + 1;
  while (taken.includes(`${prefix}${n}`)) n += 1;
  return `${prefix}${n}`;
}

export function newQuestion(taken: string[]): Question {
  return {
    id: nextId("q", taken),
    type: "single_choice",
    prompt: "",
    explanation: "",
    points: 1,
    skills: [],
    options: [
      { id: "a", text: "" },
      { id: "b", text: "" },
    ],
    correct: "a",
  };
}

/** Edits a quiz's questions: single choice, true/false and short answer (others as they are). */
export function QuizFields({ questions, onChange }: { questions: Question[]; onChange: (questions: Question[]) => void }) {
  const update = (index: number, question: Question) =>
    onChange(questions.map((existing, at) => (at === index ? question : existing)));
  return (
    <div className="flex flex-col gap-4">
      {questions.map((question, index) => (
        <QuestionFields
          key={question.id}
          number={index + 1}
          question={question}
          onChange={(changed) => update(index, changed)}
          onRemove={questions.length > 1 ? () => onChange(questions.filter((_, at) => at !== index)) : undefined}
        />
      ))}
      <div>
        <Button variant="secondary" onClick={() => onChange([...questions, newQuestion(questions.map((q) => q.id))])}>
          Add a question
        </Button>
      </div>
    </div>
  );
}

function QuestionFields({
  number,
  question,
  onChange,
  onRemove,
}: {
  number: number;
  question: Question;
  onChange: (question: Question) => void;
  onRemove?: () => void;
}) {
  const id = useId();
  const options = question.options ?? [];
  return (
    <fieldset className="flex flex-col gap-2 rounded-md border border-slate-200 p-3 dark:border-slate-700">
      <legend className="px-1 font-medium">Question {number}</legend>
      <label htmlFor={`${id}-prompt`} className="text-sm font-medium">
        Question {number} prompt
      </label>
      <textarea
        id={`${id}-prompt`}
        className={input}
        rows={2}
        value={question.prompt}
        onChange={(event) => onChange({ ...question, prompt: event.target.value })}
      />
      {question.type === "single_choice" && (
        <div role="radiogroup" aria-label={`Question ${number}: the right option`} className="flex flex-col gap-2">
          {options.map((option, at) => (
            <div key={option.id} className="flex items-center gap-2">
              <input
                type="radio"
                name={`${id}-correct`}
                aria-label={`Option ${option.id} is right`}
                checked={question.correct === option.id}
                onChange={() => onChange({ ...question, correct: option.id })}
              />
              <input
                aria-label={`Question ${number} option ${option.id}`}
                className={`${input} flex-1`}
                value={option.text}
                onChange={(event) =>
                  onChange({
                    ...question,
                    options: options.map((o, i) => (i === at ? { ...o, text: event.target.value } : o)),
                  })
                }
              />
            </div>
          ))}
          {options.length < 26 && (
            <div>
              <Button
                variant="ghost"
                onClick={() =>
                  onChange({
                    ...question,
                    options: [...options, { id: "abcdefghijklmnopqrstuvwxyz"[options.length] ?? "z", text: "" }],
                  })
                }
              >
                Add an option
              </Button>
            </div>
          )}
        </div>
      )}
      {question.type === "true_false" && (
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            checked={question.correct === true}
            onChange={(event) => onChange({ ...question, correct: event.target.checked })}
          />
          The statement is true
        </label>
      )}
      {question.type === "short_answer" && (
        <>
          <label htmlFor={`${id}-accepted`} className="text-sm font-medium">
            Accepted answers (one a line)
          </label>
          <textarea
            id={`${id}-accepted`}
            className={input}
            rows={2}
            value={(question.accepted_answers ?? []).join("\n")}
            onChange={(event) => onChange({ ...question, accepted_answers: event.target.value.split("\n") })}
          />
        </>
      )}
      <label htmlFor={`${id}-explanation`} className="text-sm font-medium">
        Explanation (shown after answering)
      </label>
      <textarea
        id={`${id}-explanation`}
        className={input}
        rows={2}
        value={question.explanation ?? ""}
        onChange={(event) => onChange({ ...question, explanation: event.target.value })}
      />
      {onRemove && (
        <div>
          <Button variant="ghost" onClick={onRemove}>
            Remove question {number}
          </Button>
        </div>
      )}
    </fieldset>
  );
}
