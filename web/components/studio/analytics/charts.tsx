"use client";

import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

export interface Series {
  key: string;
  label: string;
  color: string;
}

type Row = Record<string, string | number | null>;

/** Loaded with next/dynamic (recharts is large): each chart has a table beside it. */
export function LineChartView({ rows, x, series }: { rows: Row[]; x: string; series: Series[] }) {
  return (
    <ResponsiveContainer width="100%" height={240}>
      <LineChart accessibilityLayer={false} data={rows} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey={x} fontSize={12} />
        <YAxis allowDecimals={false} fontSize={12} />
        <Tooltip />
        <Legend />
        {series.map((line) => (
          <Line key={line.key} type="monotone" dataKey={line.key} name={line.label} stroke={line.color} dot={false} isAnimationActive={false} />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}

export function BarChartView({ rows, x, series, layout = "horizontal" }: { rows: Row[]; x: string; series: Series[]; layout?: "horizontal" | "vertical" }) {
  const vertical = layout === "vertical";
  return (
    <ResponsiveContainer width="100%" height={vertical ? Math.max(160, rows.length * 48) : 240}>
      <BarChart accessibilityLayer={false} data={rows} layout={layout} margin={{ top: 8, right: 16, bottom: 8, left: vertical ? 40 : 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        {vertical ? (
          <>
            <XAxis type="number" allowDecimals={false} fontSize={12} />
            <YAxis type="category" dataKey={x} width={140} fontSize={12} interval={0} />
          </>
        ) : (
          <>
            <XAxis dataKey={x} fontSize={12} />
            <YAxis allowDecimals={false} fontSize={12} />
          </>
        )}
        <Tooltip />
        <Legend />
        {series.map((bar) => (
          <Bar key={bar.key} dataKey={bar.key} name={bar.label} fill={bar.color} isAnimationActive={false} />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}
