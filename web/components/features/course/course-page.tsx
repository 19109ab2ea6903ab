"use client";

import Link from "next/link";
import { useState } from "react";
import { mutate } from "swr";

import { CourseOutline } from "@/components/features/course/course-outline";
import { Button, buttonClass } from "@/components/ui/button";
import { ProgressBar } from "@/components/ui/progress-bar";
import { ErrorState, Loading } from "@/components/ui/states";
import { api, unwrap } from "@/lib/api/client";
import { ApiError } from "@/lib/api/errors";
import { keys, useCourse, useCourseProgress } from "@/lib/hooks/data";
import { useSession } from "@/stores/session";

export function CoursePage({ courseId }: { courseId: string }) {
  const signedIn = useSession((state) => state.status === "signed-in");
  const course = useCourse(courseId);
  const enrolled = course.data?.viewer.is_enrolled ?? false;
  const progress = useCourseProgress(courseId, enrolled);
  const [enrolling, setEnrolling] = useState(false);
  const [enrollError, setEnrollError] = useState<string | null>(null);

  if (course.error) {
    const missing = course.error instanceof ApiError && course.error.status === 404;
    return missing ? (
      <p role="alert">This course does not exist, or is not published.</p>
    ) : (
      <ErrorState error={course.error} retry={() => void course.mutate()} />
    );
  }
  if (!course.data) return <Loading label="Loading the course…" />;
  const data = course.data;

  async function enroll() {
    setEnrolling(true);
    setEnrollError(null);
    try {
      await unwrap(
        api.POST("/api/v1/courses/{course_id}/enrollment", {
          params: { path: { course_id: courseId } },
        }),
      );
      await Promise.all([mutate(keys.course(courseId)), mutate(keys.myProgress)]);
    } catch (caught) {
      setEnrollError(caught instanceof Error ? caught.message : "Enrollment failed.");
    } finally {
      setEnrolling(false);
    }
  }

  const next = progress.data?.next_item;
  return (
    <article className="flex flex-col gap-6">
      <header className="flex flex-col gap-3">
        <p className="text-sm text-slate-600 capitalize dark:text-slate-300">
          {data.level} · {data.language.toUpperCase()}
          {data.instructors.length > 0 &&
            ` · ${data.instructors.map((instructor) => instructor.display_name).join(", ")}`}
        </p>
        <h1 className="text-3xl font-semibold">{data.title}</h1>
        <p className="text-lg text-slate-700 dark:text-slate-300">{data.summary}</p>
        {enrolled ? (
          <div className="flex flex-col gap-2 sm:flex-row sm:items-center sm:gap-4">
            {progress.data && (
              <div className="flex-1">
                <ProgressBar value={progress.data.percent_complete} label="Course progress" />
                <p className="mt-1 text-sm">
                  {Math.round(progress.data.percent_complete)}% complete ·{" "}
                  {progress.data.completed_required_items} of {progress.data.required_items} required
                  items
                </p>
              </div>
            )}
            {next && (
              <Link
                href={`/courses/${courseId}/items/${next.content_id}`}
                className={buttonClass()}
              >
                {progress.data?.completed_items ? "Continue" : "Start"}: {next.title}
              </Link>
            )}
          </div>
        ) : signedIn ? (
          <div>
            <Button onClick={() => void enroll()} disabled={enrolling}>
              {enrolling ? "Enrolling…" : "Enroll"}
            </Button>
            {enrollError && (
              <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-300">
                {enrollError}
              </p>
            )}
          </div>
        ) : (
          <Link
            href={`/sign-in?next=${encodeURIComponent(`/courses/${courseId}`)}`}
            className={`${buttonClass()} self-start`}
          >
            Sign in to enroll
          </Link>
        )}
      </header>
      {data.description_html && (
        <div className="lesson" dangerouslySetInnerHTML={{ __html: data.description_html }} />
      )}
      <CourseOutline course={data} progress={progress.data} />
    </article>
  );
}
