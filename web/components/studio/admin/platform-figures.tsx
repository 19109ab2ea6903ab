"use client";

import { ErrorState, Loading } from "@/components/ui/states";

import { Figures } from "../figures";
import { usePlatform } from "./hooks";

export function PlatformFigures() {
  const platform = usePlatform();
  if (platform.error) return <ErrorState error={platform.error} retry={() => void platform.mutate()} />;
  if (!platform.data) return <Loading label="Loading the platform's figures…" />;
  const data = platform.data;
  const figures = [
    { id: "users", label: "Users", value: data.users },
    { id: "active-7-days", label: "Active in 7 days", value: data.active_users.last_7_days },
    { id: "published-courses", label: "Published courses", value: data.courses.published ?? 0 },
    { id: "enrollments", label: "Enrollments", value: data.enrollments },
    { id: "completions", label: "Course completions", value: data.course_completions },
  ];
  return (
    <section aria-labelledby="platform-heading">
      <h2 id="platform-heading" className="mb-2 text-xl font-semibold">
        Platform
      </h2>
      <Figures figures={figures} columns="sm:grid-cols-5" />
    </section>
  );
}
