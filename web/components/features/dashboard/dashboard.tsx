"use client";

import Link from "next/link";

import { DueReviews } from "@/components/features/dashboard/due-reviews";
import { LearningPaths } from "@/components/features/dashboard/learning-paths";
import { RecentAchievements } from "@/components/features/dashboard/recent-achievements";
import { Recommendations } from "@/components/features/dashboard/recommendations";
import { StreakAndXp } from "@/components/features/dashboard/streak-and-xp";
import { TimeChart } from "@/components/features/dashboard/time-chart";
import { buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ProgressBar } from "@/components/ui/progress-bar";
import { EmptyState, ErrorState, Loading } from "@/components/ui/states";
import type { Schemas } from "@/lib/api/client";
import { useMyProgress } from "@/lib/hooks/data";
import { useSession } from "@/stores/session";

type CourseProgress = Schemas["CourseProgressRead"];

/** The course touched last that still has something to do. */
function continueWith(courses: CourseProgress[]): CourseProgress | undefined {
  return courses
    .filter((course) => course.next_item)
    .sort((a, b) => (b.last_activity_at ?? "").localeCompare(a.last_activity_at ?? ""))[0];
}

function MyCourses() {
  const { data, error, isLoading, mutate } = useMyProgress();
  if (error) return <ErrorState error={error} retry={() => void mutate()} />;
  if (isLoading || !data) return <Loading label="Loading your courses…" />;
  if (data.items.length === 0) {
    return (
      <EmptyState title="You are not enrolled in any course yet">
        <Link href="/catalog" className="text-blue-700 underline dark:text-sky-300">
          Browse the catalog
        </Link>
      </EmptyState>
    );
  }
  const current = continueWith(data.items);
  return (
    <div className="flex flex-col gap-4">
      {current?.next_item && (
        <Card aria-labelledby="continue-title">
          <h2 id="continue-title" className="text-sm font-medium text-slate-600 dark:text-slate-300">
            Continue where you left off
          </h2>
          <p className="mt-1 text-lg font-semibold">{current.title}</p>
          <p className="text-sm">Next: {current.next_item.title}</p>
          <Link
            href={`/courses/${current.course_id}/items/${current.next_item.content_id}`}
            className={`${buttonClass()} mt-3`}
          >
            Continue
          </Link>
        </Card>
      )}
      <Card aria-labelledby="courses-title">
        <h2 id="courses-title" className="mb-3 text-lg font-semibold">
          My courses
        </h2>
        <ul className="flex flex-col gap-4">
          {data.items.map((course) => (
            <li key={course.course_id} className="flex flex-col gap-1">
              <div className="flex justify-between gap-2">
                <Link
                  href={`/courses/${course.course_id}`}
                  className="font-medium text-blue-700 hover:underline dark:text-sky-300"
                >
                  {course.title}
                </Link>
                <span className="text-sm" data-testid="course-percent">
                  {Math.round(course.percent_complete)}%
                </span>
              </div>
              <ProgressBar value={course.percent_complete} label={`${course.title} progress`} />
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}

export function Dashboard() {
  const name = useSession((state) => state.user?.display_name);
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Welcome back{name ? `, ${name}` : ""}</h1>
      <div className="grid gap-6 lg:grid-cols-[2fr_1fr]">
        <div className="flex flex-col gap-6">
          <MyCourses />
          <Recommendations />
          <TimeChart />
        </div>
        <div className="flex flex-col gap-6">
          <StreakAndXp />
          <DueReviews />
          <RecentAchievements />
          <LearningPaths />
        </div>
      </div>
    </div>
  );
}
