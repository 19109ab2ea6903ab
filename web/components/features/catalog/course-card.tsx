import Link from "next/link";

import type { Schemas } from "@/lib/api/client";

export function CourseCard({ course }: { course: Schemas["CourseSummary"] }) {
  return (
    <article className="flex h-full flex-col gap-2 rounded-lg border border-slate-200 p-4 dark:border-slate-700">
      <h2 className="text-lg font-semibold">
        <Link href={`/courses/${course.course_id}`} className="hover:underline">
          {course.title}
        </Link>
      </h2>
      <p className="text-sm text-slate-700 dark:text-slate-300">{course.summary}</p>
      <p className="mt-auto flex flex-wrap gap-2 text-xs text-slate-600 dark:text-slate-300">
        <span className="capitalize">{course.level}</span>
        <span aria-hidden="true">·</span>
        <span>{course.language.toUpperCase()}</span>
        {course.estimated_minutes ? (
          <>
            <span aria-hidden="true">·</span>
            <span>{Math.round(course.estimated_minutes / 60) || "<1"} h</span>
          </>
        ) : null}
        <span aria-hidden="true">·</span>
        <span>{course.enrollment_count} enrolled</span>
      </p>
    </article>
  );
}
