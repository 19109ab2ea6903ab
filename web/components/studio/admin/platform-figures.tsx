"use client";

import { Card } from "@/components/ui/card";
import { ErrorState, Loading } from "@/components/ui/states";

import { usePlatform } from "./hooks";

export function PlatformFigures() {
  const platform = usePlatform();
  if (platform.error) return <ErrorState error={platform.error} retry={() => void platform.mutate()} />;
  if (!platform.data) return <Loading label="Loading the platform's figures…" />;
  const data = platform.data;
  const figures = [
    { label: "Users", value: data.users },
    { label: "Active in 7 days", value: data.active_users.last_7_days },
    { label: "Published courses", value: data.courses.published ?? 0 },
    { label: "Enrollments", value: data.enrollments },
    { label: "Course completions", value: data.course_completions },
  ];
  return (
    <section aria-labelledby="platform-heading">
      <h2 id="platform-heading" className="mb-2 text-xl font-semibold">
        Platform
      </h2>
      <dl className="grid grid-cols-2 gap-4 sm:grid-cols-5">
        {figures.map((figure) => (
          <Card key={figure.label}>
            <dt className="text-sm text-slate-600 dark:text-slate-300">{figure.label}</dt>
            <dd className="text-2xl font-semibold tabular-nums">{figure.value}</dd>
          </Card>
        ))}
      </dl>
    </section>
  );
}
