"use client";

import { Card } from "@/components/ui/card";
import { ProgressBar } from "@/components/ui/progress-bar";
import { ErrorState, Loading } from "@/components/ui/states";
import { useAchievementSummary } from "@/lib/hooks/data";

export function StreakAndXp() {
  const { data, error, mutate } = useAchievementSummary();
  if (error) return <ErrorState error={error} retry={() => void mutate()} />;
  if (!data) return <Loading label="Loading your streak…" />;
  const span = Math.max(data.next_level_at - data.level_starts_at, 1);
  return (
    <Card aria-labelledby="streak-title">
      <h2 id="streak-title" className="mb-3 text-lg font-semibold">
        Streak and XP
      </h2>
      <dl className="grid grid-cols-2 gap-3">
        <div>
          <dt className="text-sm text-slate-600 dark:text-slate-300">Current streak</dt>
          <dd className="text-2xl font-semibold" data-testid="streak">
            {data.current_streak_days} {data.current_streak_days === 1 ? "day" : "days"}
          </dd>
        </div>
        <div>
          <dt className="text-sm text-slate-600 dark:text-slate-300">XP</dt>
          <dd className="text-2xl font-semibold" data-testid="xp">
            {data.xp}
          </dd>
        </div>
      </dl>
      <p className="mt-3 text-sm">Level {data.level}</p>
      <ProgressBar
        value={((data.xp - data.level_starts_at) / span) * 100}
        label={`Progress to level ${data.level + 1}`}
      />
      <p className="mt-2 text-xs text-slate-600 dark:text-slate-300">
        {data.items_completed} items completed · {data.hours_learned.toFixed(1)} h learned
      </p>
    </Card>
  );
}
