"use client";

import { Button } from "@/components/ui/button";
import type { Schemas } from "@/lib/api/client";
import { useItemProgress } from "@/lib/hooks/data";
import { useProgress } from "@/stores/progress";

/**
 * Marks an item complete: shown at once (optimistic), sent now or when back online. Items the
 * server completes by itself (videos, by what was watched) only show whether they are.
 */
export function MarkComplete({
  item,
  markable = true,
}: {
  item: Schemas["ItemRead"];
  markable?: boolean;
}) {
  const { data: progress } = useItemProgress(item.content_id);
  const optimistic = useProgress((state) => state.optimistic[item.content_id]);
  const report = useProgress((state) => state.report);
  const done = optimistic?.completed || progress?.status === "completed";

  if (done) {
    return (
      <p role="status" className="font-medium text-green-800 dark:text-green-300">
        ✓ Completed
      </p>
    );
  }
  if (!markable) return null;
  return (
    <Button
      className="self-start"
      onClick={() =>
        void report(item.content_id, {
          completed: true,
          time_spent_seconds: 0,
          content_version: item.version,
        })
      }
    >
      Mark as complete
    </Button>
  );
}
