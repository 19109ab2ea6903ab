"use client";

import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { FormMessage, type Message } from "@/components/ui/form-message";
import { ProgressBar } from "@/components/ui/progress-bar";
import { EmptyState, ErrorState, Loading } from "@/components/ui/states";
import { api, unwrap } from "@/lib/api/client";

import { DataTable } from "./analytics/data-table";
import { useCourseLive } from "./analytics/live";
import { useLearnerAnalysis, useLearnerProgress, useLearnersProgress, useStudioCourse } from "./data";

const minutes = (seconds: number) => `${Math.round(seconds / 60)} min`;

/** Teaching: the course's learners and their progress; one learner's items and analysis. */
export function Learners({ courseId }: { courseId: string }) {
  const course = useStudioCourse(courseId);
  const learners = useLearnersProgress(courseId);
  const selected = useSearchParams().get("learner");
  const router = useRouter();
  const pathname = usePathname();
  useCourseLive(courseId);

  return (
    <div className="flex flex-col gap-6">
      <header className="flex flex-col gap-2">
        <p className="text-sm">
          <Link href={`/studio/courses/${courseId}`} className="underline">
            Back to the course
          </Link>
        </p>
        <h1 className="text-2xl font-semibold">Learners: {course.data?.title ?? "course"}</h1>
      </header>
      {learners.error ? (
        <ErrorState error={learners.error} retry={() => void learners.mutate()} />
      ) : !learners.data ? (
        <Loading label="Loading the learners…" />
      ) : learners.data.items.length === 0 ? (
        <EmptyState title="No learner yet">Learners appear here once they enroll in the published course.</EmptyState>
      ) : (
        <Card>
          <DataTable
            caption="The course's learners and their progress"
            columns={["Learner", "Progress", "Required items", "Time", "Last activity"]}
            rows={learners.data.items.map((learner) => [
              <button
                key={learner.user_id}
                type="button"
                className="text-left underline"
                aria-pressed={selected === learner.user_id}
                onClick={() => router.replace(`${pathname}?learner=${learner.user_id}`)}
              >
                {learner.display_name}
              </button>,
              <span key="percent" className="flex min-w-32 items-center gap-2">
                <ProgressBar value={learner.percent_complete} label={`${learner.display_name}: progress`} />
                {Math.round(learner.percent_complete)}%
              </span>,
              `${learner.completed_required_items} of ${learner.required_items}`,
              minutes(learner.time_spent_seconds),
              learner.last_activity_at ? new Date(learner.last_activity_at).toLocaleString() : "never",
            ])}
          />
        </Card>
      )}
      {selected && <LearnerDetail key={selected} courseId={courseId} userId={selected} />}
    </div>
  );
}

function LearnerDetail({ courseId, userId }: { courseId: string; userId: string }) {
  const progress = useLearnerProgress(courseId, userId);
  const analysis = useLearnerAnalysis(courseId, userId);
  const [message, setMessage] = useState<Message | null>(null);

  async function reset(contentId: string, title: string) {
    if (!window.confirm(`Reset “${title}” for this learner? Their progress and attempts on it are cleared.`)) return;
    try {
      await unwrap(
        api.POST("/api/v1/courses/{course_id}/progress/learners/{user_id}/items/{content_id}/reset", {
          params: {
            path: { course_id: courseId, user_id: userId, content_id: contentId },
            header: { "Idempotency-Key": crypto.randomUUID() },
          },
          body: { reason: "Reset by the instructor from the learners page" },
        }),
      );
      setMessage({ text: `“${title}” was reset.`, error: false });
      await progress.mutate();
    } catch (caught) {
      setMessage({ text: caught instanceof Error ? caught.message : "Reset failed.", error: true });
    }
  }

  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <Card aria-labelledby="learner-items-heading">
        <h2 id="learner-items-heading" className="mb-2 text-lg font-semibold">
          Progress per item
        </h2>
        {progress.error ? (
          <ErrorState error={progress.error} retry={() => void progress.mutate()} />
        ) : !progress.data ? (
          <Loading />
        ) : (
          <DataTable
            caption="The learner's progress on each item"
            columns={["Item", "Status", "Best score", "Attempts", ""]}
            rows={progress.data.items.map((item) => [
              item.title,
              item.status.replace("_", " "),
              item.best_score === null ? "—" : `${Math.round(item.best_score * 100)}%`,
              item.attempts_count,
              <Button key="reset" variant="ghost" disabled={item.status === "not_started"} onClick={() => void reset(item.content_id, item.title)}>
                Reset {item.title}
              </Button>,
            ])}
          />
        )}
        <FormMessage message={message} />
      </Card>
      <Card aria-labelledby="learner-analysis-heading">
        <h2 id="learner-analysis-heading" className="mb-2 text-lg font-semibold">
          Analysis
        </h2>
        {analysis.error ? (
          <ErrorState error={analysis.error} retry={() => void analysis.mutate()} />
        ) : !analysis.data ? (
          <Loading label="Analysing…" />
        ) : (
          <div className="flex flex-col gap-3">
            <p>
              Risk: <strong className="capitalize">{analysis.data.risk.level}</strong> ({Math.round(analysis.data.risk.score * 100)}%)
            </p>
            {analysis.data.risk.factors.length > 0 && (
              <ul className="list-disc pl-5 text-sm">
                {analysis.data.risk.factors.map((factor) => (
                  <li key={factor.kind}>{factor.explanation}</li>
                ))}
              </ul>
            )}
            {analysis.data.skills.length === 0 ? (
              <p className="text-sm">No skill practised yet.</p>
            ) : (
              <DataTable
                caption="Mastery per skill"
                columns={["Skill", "Mastery", "Attempts"]}
                rows={analysis.data.skills.map((skill) => [skill.name, `${Math.round(skill.p_mastery * 100)}%`, skill.attempts])}
              />
            )}
          </div>
        )}
      </Card>
    </div>
  );
}
