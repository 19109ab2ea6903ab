import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

import type { DayMinutes } from "@/lib/daily-minutes";

/** The bar chart itself (recharts): loaded on demand by TimeChart, never in the first load. */
export default function TimeChartView({ days }: { days: DayMinutes[] }) {
  return (
    <ResponsiveContainer width="100%" height={180}>
      {/* Hidden from assistive technology and the keyboard: TimeChart's table says the same. */}
      <BarChart data={days} margin={{ top: 4, right: 4, bottom: 0, left: -20 }} accessibilityLayer={false}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="day" tickFormatter={(day: string) => day.slice(5)} fontSize={11} />
        <YAxis allowDecimals={false} fontSize={11} />
        <Tooltip formatter={(value) => [`${String(value)} min`, "Learned"]} />
        <Bar dataKey="minutes" fill="#1d4ed8" isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}
