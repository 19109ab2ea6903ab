"use client";

import Link from "next/link";

import { Card } from "@/components/ui/card";
import { ErrorState, Loading } from "@/components/ui/states";
import { useRecommendations } from "@/lib/hooks/data";

/** What to do next and why; refreshed by live progress events (see Providers). */
export function Recommendations() {
  const { data, error, mutate } = useRecommendations();
  if (error) return <ErrorState error={error} retry={() => void mutate()} />;
  if (!data) return <Loading label="Loading recommendations…" />;
  return (
    <Card aria-labelledby="recommendations-title">
      <h2 id="recommendations-title" className="mb-3 text-lg font-semibold">
        Recommended for you
      </h2>
      {data.items.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-300">
          Nothing to suggest yet: enroll in a course and take a first lesson.
        </p>
      ) : (
        <ul className="flex flex-col gap-3" data-testid="recommendations">
          {data.items.map((item) => (
            <li key={item.content_id}>
              <Link
                href={
                  item.enrollment_required
                    ? `/courses/${item.course_id}`
                    : `/courses/${item.course_id}/items/${item.content_id}`
                }
                className="font-medium text-blue-700 hover:underline dark:text-sky-300"
              >
                {item.title}
              </Link>
              <p className="text-xs text-slate-600 dark:text-slate-300">
                {item.course_title} · {item.type} · about {Math.max(1, Math.round(item.minutes))} min
                {item.enrollment_required ? " · enroll first" : ""}
              </p>
              <p className="text-sm">{item.reason}</p>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
