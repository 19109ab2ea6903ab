import type { Schemas } from "@/lib/api/client";

export interface DayMinutes {
  day: string;
  minutes: number;
}

/**
 * Minutes learned on every day of the report's range, oldest first: the API lists days with
 * activity only, and a chart needs the quiet days too.
 */
export function dailyMinutes(report: Pick<Schemas["UserProgressRead"], "days" | "from_day" | "to_day">): DayMinutes[] {
  const seconds = new Map(report.days.map((day) => [day.day, day.seconds]));
  const result: DayMinutes[] = [];
  const last = Date.parse(`${report.to_day}T00:00:00Z`);
  for (let time = Date.parse(`${report.from_day}T00:00:00Z`); time <= last; time += 86_400_000) {
    const day = new Date(time).toISOString().slice(0, 10);
    result.push({ day, minutes: Math.round((seconds.get(day) ?? 0) / 60) });
  }
  return result;
}
