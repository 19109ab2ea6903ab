"use client";

import { TimeChart } from "@/components/features/dashboard/time-chart";
import { Card } from "@/components/ui/card";
import { ErrorState, Loading } from "@/components/ui/states";
import { useUserProgress } from "@/lib/hooks/data";

const DAYS = 30;

const hours = (seconds: number) => `${(seconds / 3600).toFixed(1)} h`;
const percent = (fraction: number | null) => (fraction === null ? "—" : `${Math.round(fraction * 100)}%`);

/** The learner's own figures over the last 30 days: totals, weeks, and how each skill goes. */
function Figures() {
  const { data, error, mutate } = useUserProgress(DAYS);
  if (error) return <ErrorState error={error} retry={() => void mutate()} />;
  if (!data) return <Loading label="Loading your figures…" />;
  return (
    <>
      <Card aria-labelledby="totals-title">
        <h2 id="totals-title" className="mb-3 text-lg font-semibold">
          Last {DAYS} days
        </h2>
        <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4" data-testid="totals">
          {[
            ["Time learned", hours(data.totals.seconds)],
            ["Items completed", String(data.totals.items_completed)],
            ["Courses completed", String(data.totals.courses_completed)],
            ["Longest streak", `${data.streak.longest} ${data.streak.longest === 1 ? "day" : "days"}`],
          ].map(([label, value]) => (
            <div key={label}>
              <dt className="text-sm text-slate-600 dark:text-slate-300">{label}</dt>
              <dd className="text-xl font-semibold">{value}</dd>
            </div>
          ))}
        </dl>
      </Card>
      <Card aria-labelledby="weeks-title">
        <h2 id="weeks-title" className="mb-3 text-lg font-semibold">
          By week
        </h2>
        {data.weeks.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-300">No activity in these days yet.</p>
        ) : (
          <table className="w-full text-left text-sm">
            <thead>
              <tr>
                <th scope="col">Week of</th>
                <th scope="col">Time</th>
                <th scope="col">Items</th>
                <th scope="col">Quiz attempts</th>
              </tr>
            </thead>
            <tbody>
              {data.weeks.map((week) => (
                <tr key={week.week_start}>
                  <td>{week.week_start}</td>
                  <td>{hours(week.seconds)}</td>
                  <td>{week.items_completed}</td>
                  <td>{week.quiz_attempts}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <Card aria-labelledby="skills-title">
        <h2 id="skills-title" className="mb-3 text-lg font-semibold">
          Skills
        </h2>
        {data.skills.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-300">
            Answer quiz questions and your accuracy per skill appears here.
          </p>
        ) : (
          <table className="w-full text-left text-sm" data-testid="skills">
            <thead>
              <tr>
                <th scope="col">Skill</th>
                <th scope="col">Answered</th>
                <th scope="col">Accuracy</th>
              </tr>
            </thead>
            <tbody>
              {data.skills.map((skill) => (
                <tr key={skill.skill_id}>
                  <td>{skill.name ?? "Unnamed skill"}</td>
                  <td>{skill.answered}</td>
                  <td>{percent(skill.accuracy)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}

export function MyAnalytics() {
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">My analytics</h1>
      <Figures />
      <TimeChart days={DAYS} />
    </div>
  );
}
