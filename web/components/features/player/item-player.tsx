"use client";

import Link from "next/link";

import { LessonView } from "@/components/features/player/lesson-view";
import { MarkComplete } from "@/components/features/player/mark-complete";
import { QuizView } from "@/components/features/player/quiz-view";
import { VideoView } from "@/components/features/player/video-view";
import { buttonClass } from "@/components/ui/button";
import { ErrorState, Loading } from "@/components/ui/states";
import type { Schemas } from "@/lib/api/client";
import { ApiError } from "@/lib/api/errors";
import { demoteHeadings } from "@/lib/headings";
import { useCourse, useItem } from "@/lib/hooks/data";

function neighbours(course: Schemas["CourseRead"] | undefined, contentId: string) {
  const items = course?.modules.flatMap((module) => module.items) ?? [];
  const index = items.findIndex((item) => item.content_id === contentId);
  return { previous: index > 0 ? items[index - 1] : undefined, next: items[index + 1] };
}

function ItemBody({ item }: { item: Schemas["ItemRead"] }) {
  const content = item.content as Record<string, unknown>;
  switch (item.type) {
    case "lesson":
      return <LessonView item={item} html={String(content.body_html ?? "")} />;
    case "quiz":
      return <QuizView item={item} />;
    case "video":
      return <VideoView item={item} />;
    default: {
      const html = content.instructions_html ?? content.description_html;
      const url = typeof content.url === "string" ? content.url : undefined;
      return (
        <div className="flex flex-col gap-4">
          {typeof html === "string" && (
            <div className="lesson" dangerouslySetInnerHTML={{ __html: demoteHeadings(html) }} />
          )}
          {url && (
            <a href={url} className="text-blue-700 underline dark:text-sky-300" rel="noopener">
              Open the resource
            </a>
          )}
          <MarkComplete item={item} />
        </div>
      );
    }
  }
}

export function ItemPlayer({ courseId, contentId }: { courseId: string; contentId: string }) {
  const item = useItem(contentId);
  const course = useCourse(courseId);
  const { previous, next } = neighbours(course.data, contentId);

  let body;
  if (item.error) {
    const code = item.error instanceof ApiError ? item.error.code : "";
    body =
      code === "module-locked" ? (
        <p role="alert">This module is locked: finish the modules it builds on first.</p>
      ) : code === "enrollment-required" ? (
        <p role="alert">
          Enroll in the course to open this item.{" "}
          <Link href={`/courses/${courseId}`} className="text-blue-700 underline dark:text-sky-300">
            Go to the course
          </Link>
        </p>
      ) : (
        <ErrorState error={item.error} retry={() => void item.mutate()} />
      );
  } else if (!item.data) {
    body = <Loading label="Loading…" />;
  } else {
    body = (
      <>
        <h1 className="text-2xl font-semibold">{item.data.title}</h1>
        <ItemBody key={item.data.content_id} item={item.data} />
      </>
    );
  }

  return (
    <div className="flex flex-col gap-6">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href={`/courses/${courseId}`} className="text-blue-700 underline dark:text-sky-300">
          {course.data?.title ?? "Course"}
        </Link>
      </nav>
      {body}
      <nav aria-label="Course items" className="flex justify-between gap-2 border-t border-slate-200 pt-4 dark:border-slate-700">
        {previous ? (
          <Link href={`/courses/${courseId}/items/${previous.content_id}`} className={buttonClass("secondary")}>
            ← {previous.title}
          </Link>
        ) : (
          <span />
        )}
        {next && (
          <Link href={`/courses/${courseId}/items/${next.content_id}`} className={buttonClass("secondary")}>
            {next.title} →
          </Link>
        )}
      </nav>
    </div>
  );
}
