"use client";

import dynamic from "next/dynamic";

import { Card } from "@/components/ui/card";
import { ErrorState, Loading } from "@/components/ui/states";
import { dailyMinutes } from "@/lib/daily-minutes";
import { useUserProgress } from "@/lib/hooks/data";

// recharts is heavy: it loads after the page, and the table below says the same in text.
const TimeChartView = dynamic(() => import("@/components/features/dashboard/time-chart-view"), {
  ssr: false,
  loading: () => <div className="h-[180px]" aria-hidden="true" />,
});

/** Minutes learned per day over the last `days` days, as a chart and as a table. */
export function TimeChart({ days: span = 14 }: { days?: number }) {
  const { data, error, mutate } = useUserProgress(span);
  if (error) return <ErrorState error={error} retry={() => void mutate()} />;
  if (!data) return <Loading label="Loading your learning time…" />;
  const days = dailyMinutes(data);
  const total = days.reduce((sum, day) => sum + day.minutes, 0);
  return (
    <Card aria-labelledby="time-title">
      <h2 id="time-title" className="text-lg font-semibold">
        Time learned, last {span} days
      </h2>
      <p className="mb-2 text-sm text-slate-600 dark:text-slate-300" data-testid="time-total">
        {total} min in all · {data.goal.minutes_this_week} of {data.goal.weekly_minutes_target} min this
        week
      </p>
      <div aria-hidden="true">
        <TimeChartView days={days} />
      </div>
      <details className="mt-2 text-sm">
        <summary className="cursor-pointer">Show as a table</summary>
        <table className="mt-2 w-full text-left">
          <caption className="sr-only">Minutes learned per day</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Minutes</th>
            </tr>
          </thead>
          <tbody>
            {days.map((day) => (
              <tr key={day.day}>
                <td>{day.day}</td>
                <td>{day.minutes}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </Card>
  );
}
