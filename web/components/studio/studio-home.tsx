"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { mutate } from "swr";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { EmptyState, ErrorState, Loading } from "@/components/ui/states";
import { api, unwrap } from "@/lib/api/client";

import { studioKeys, useTaughtCourses } from "./data";
import { StatusBadge } from "./status-badge";

export function StudioHome() {
  const courses = useTaughtCourses();
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold">My courses</h1>
        <nav aria-label="Studio" className="flex gap-4 text-sm">
          <Link href="/studio/skills" className="underline">
            Skills and prerequisites
          </Link>
          <Link href="/studio/reports" className="underline">
            Reports
          </Link>
        </nav>
      </div>
      <CreateCourse />
      {courses.error ? (
        <ErrorState error={courses.error} retry={() => void courses.mutate()} />
      ) : !courses.data ? (
        <Loading label="Loading your courses…" />
      ) : courses.data.items.length === 0 ? (
        <EmptyState title="You teach no course yet">Create your first course above.</EmptyState>
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2">
          {courses.data.items.map((course) => (
            <li key={course.course_id}>
              <Card className="flex h-full flex-col gap-2">
                <div className="flex items-start justify-between gap-2">
                  <h2 className="text-lg font-semibold">
                    <Link href={`/studio/courses/${course.course_id}`} className="hover:underline">
                      {course.title}
                    </Link>
                  </h2>
                  <StatusBadge status={course.status} />
                </div>
                <p className="text-sm text-slate-700 dark:text-slate-300">{course.summary || "No summary yet."}</p>
                <p className="text-sm text-slate-600 dark:text-slate-300">
                  {course.enrollment_count} {course.enrollment_count === 1 ? "learner" : "learners"}
                </p>
                <nav aria-label={`${course.title}: pages`} className="mt-auto flex flex-wrap gap-3 text-sm">
                  <Link className="underline" href={`/studio/courses/${course.course_id}`}>
                    Edit
                  </Link>
                  <Link className="underline" href={`/studio/courses/${course.course_id}/analytics`}>
                    Analytics
                  </Link>
                  <Link className="underline" href={`/studio/courses/${course.course_id}/learners`}>
                    Learners
                  </Link>
                </nav>
              </Card>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function CreateCourse() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const course = await unwrap(
        api.POST("/api/v1/courses", {
          body: {
            title: String(form.get("title") ?? ""),
            summary: String(form.get("summary") ?? ""),
            description: "",
            level: "beginner",
            language: "en",
          },
        }),
      );
      await mutate(studioKeys.taught);
      router.push(`/studio/courses/${course.course_id}`);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : "The course could not be created.");
      setBusy(false);
    }
  }

  return (
    <Card>
      <h2 className="mb-3 text-lg font-semibold">Create a course</h2>
      <form onSubmit={create} className="grid gap-3 sm:grid-cols-[1fr_2fr_auto] sm:items-end">
        <Field label="Course title" name="title" required maxLength={255} />
        <Field label="Summary" name="summary" maxLength={500} />
        <Button type="submit" disabled={busy}>
          {busy ? "Creating…" : "Create course"}
        </Button>
      </form>
      {error && (
        <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      )}
    </Card>
  );
}
