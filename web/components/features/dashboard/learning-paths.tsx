"use client";

import { useState, type FormEvent } from "react";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { ProgressBar } from "@/components/ui/progress-bar";
import { ErrorState, Loading } from "@/components/ui/states";
import { api, unwrap } from "@/lib/api/client";
import { usePaths } from "@/lib/hooks/data";

/** The learner's learning paths with their progress, and a form to plan one from a goal. */
export function LearningPaths() {
  const { data, error, mutate } = usePaths();
  const [goal, setGoal] = useState("");
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  if (error) return <ErrorState error={error} retry={() => void mutate()} />;
  if (!data) return <Loading label="Loading learning paths…" />;

  async function plan(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setFailed(null);
    try {
      await unwrap(api.POST("/api/v1/ai/paths", { body: { goal: { kind: "text", value: goal } } }));
      setGoal("");
      await mutate();
    } catch (caught) {
      setFailed(caught instanceof Error ? caught.message : "The path was not planned.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card aria-labelledby="paths-title">
      <h2 id="paths-title" className="mb-3 text-lg font-semibold">
        My learning paths
      </h2>
      {data.items.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-300">
          No path yet: say what you want to learn and one is planned around your weekly time.
        </p>
      ) : (
        <ul className="flex flex-col gap-3">
          {data.items.map((path) => (
            <li key={path.path_id} className="flex flex-col gap-1">
              <p className="font-medium">{path.title}</p>
              <ProgressBar
                value={(path.steps_done / Math.max(path.steps, 1)) * 100}
                label={`${path.title} progress`}
              />
              <p className="text-xs text-slate-600 dark:text-slate-300">
                {path.steps_done} of {path.steps} steps · about {Math.round(path.total_minutes / 60)} h in all
                {path.status === "completed" ? " · completed" : ""}
              </p>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={plan} className="mt-4 flex flex-col gap-2">
        <Field
          label="Plan a path to a goal"
          placeholder="e.g. write Python scripts"
          value={goal}
          onChange={(event) => setGoal(event.target.value)}
          required
          maxLength={200}
          error={failed ?? undefined}
        />
        <Button type="submit" variant="secondary" className="self-start" disabled={busy}>
          {busy ? "Planning…" : "Plan it"}
        </Button>
      </form>
    </Card>
  );
}
