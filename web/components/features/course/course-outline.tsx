import Link from "next/link";

import type { Schemas } from "@/lib/api/client";
import { useProgress } from "@/stores/progress";

const TYPE_LABELS: Record<string, string> = {
  lesson: "Lesson",
  video: "Video",
  quiz: "Quiz",
  exercise: "Exercise",
  file: "File",
  link: "Link",
};

/**
 * The modules and their items. A module is locked while its prerequisites are incomplete (the
 * course's progress says so when enrolled; otherwise its prerequisites are listed).
 */
export function CourseOutline({
  course,
  progress,
}: {
  course: Schemas["CourseRead"];
  progress?: Schemas["CourseProgressRead"];
}) {
  const optimistic = useProgress((state) => state.optimistic);
  const titles = new Map(course.modules.map((module) => [module.module_id, module.title]));
  const moduleProgress = new Map(progress?.modules.map((module) => [module.module_id, module]));
  const enrolled = course.viewer.is_enrolled;

  return (
    <section aria-labelledby="outline-title" className="flex flex-col gap-4">
      <h2 id="outline-title" className="text-xl font-semibold">
        Outline
      </h2>
      <ol className="flex flex-col gap-4">
        {course.modules.map((module) => {
          const state = moduleProgress.get(module.module_id);
          const locked = enrolled
            ? state !== undefined && !state.unlocked
            : module.prerequisite_ids.length > 0;
          const requires = module.prerequisite_ids.map((id) => titles.get(id) ?? "another module");
          return (
            <li
              key={module.module_id}
              className="rounded-lg border border-slate-200 p-4 dark:border-slate-700"
            >
              <div className="flex flex-wrap items-baseline justify-between gap-2">
                <h3 className="text-lg font-medium">
                  {locked && <span aria-hidden="true">🔒 </span>}
                  {module.title}
                  {locked && <span className="sr-only"> (locked)</span>}
                </h3>
                {state && (
                  <span className="text-sm text-slate-600 dark:text-slate-300">
                    {state.completed
                      ? "Completed"
                      : `${state.completed_required_items} of ${state.required_items} done`}
                  </span>
                )}
              </div>
              {requires.length > 0 && (
                <p className="text-sm text-slate-600 dark:text-slate-300">
                  {locked ? "Unlocks after" : "Builds on"}: {requires.join(", ")}
                </p>
              )}
              <ul className="mt-2 flex flex-col gap-1">
                {module.items.map((item) => {
                  const done = optimistic[item.content_id]?.completed;
                  const label = `${TYPE_LABELS[item.type] ?? item.type}: ${item.title}`;
                  return (
                    <li key={item.content_id} className="flex items-center gap-2 text-sm">
                      <span aria-hidden="true" className="w-4">
                        {done ? "✓" : ""}
                      </span>
                      {enrolled && !locked ? (
                        <Link
                          href={`/courses/${course.course_id}/items/${item.content_id}`}
                          className="text-blue-700 hover:underline dark:text-sky-300"
                        >
                          {label}
                        </Link>
                      ) : (
                        <span>{label}</span>
                      )}
                      {done && <span className="sr-only">(done)</span>}
                      {!item.is_required && (
                        <span className="text-xs text-slate-600 dark:text-slate-300">optional</span>
                      )}
                    </li>
                  );
                })}
              </ul>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
