"use client";

import Link from "next/link";

import { Card } from "@/components/ui/card";
import { ErrorState, Loading } from "@/components/ui/states";
import { useAchievements } from "@/lib/hooks/data";

const SHOWN = 5;

export function RecentAchievements() {
  const { data, error, mutate } = useAchievements();
  if (error) return <ErrorState error={error} retry={() => void mutate()} />;
  if (!data) return <Loading label="Loading achievements…" />;
  const recent = [...data.earned]
    .sort((a, b) => b.awarded_at.localeCompare(a.awarded_at))
    .slice(0, SHOWN);
  return (
    <Card aria-labelledby="achievements-title">
      <h2 id="achievements-title" className="mb-3 text-lg font-semibold">
        Recent achievements
      </h2>
      {recent.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-300">
          None yet: complete an item to earn your first.
        </p>
      ) : (
        <ul className="flex flex-col gap-2" data-testid="achievements">
          {recent.map((achievement) => (
            <li key={achievement.achievement_id}>
              <p className="font-medium">{achievement.title}</p>
              <p className="text-xs text-slate-600 dark:text-slate-300">
                {achievement.description} · +{achievement.xp} XP
              </p>
            </li>
          ))}
        </ul>
      )}
      <Link href="/achievements" className="mt-3 inline-block text-sm text-blue-700 underline dark:text-sky-300">
        All achievements and certificates
      </Link>
    </Card>
  );
}
