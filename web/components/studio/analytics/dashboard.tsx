"use client";

import dynamic from "next/dynamic";
import Link from "next/link";
import { useState } from "react";

import { Card } from "@/components/ui/card";
import { EmptyState, ErrorState, Loading } from "@/components/ui/states";
import type { Schemas } from "@/lib/api/client";
import { ApiError } from "@/lib/api/errors";

import { useCourseMetrics, useStudioCourse } from "../data";
import { Figures } from "../figures";
import { ChartWithTable, DataTable } from "./data-table";
import { useCourseLive } from "./live";

const chartLoading = () => <Loading label="Loading the chart…" />;
const LineChartView = dynamic(() => import("./charts").then((module) => module.LineChartView), { ssr: false, loading: chartLoading });
const BarChartView = dynamic(() => import("./charts").then((module) => module.BarChartView), { ssr: false, loading: chartLoading });

type Metrics = Schemas["CourseMetricsRead"];

const BLUE = "#1d4ed8";
const GREEN = "#15803d";
const AMBER = "#b45309";
const percent = (value: number | null | undefined) => (value === null || value === undefined ? "—" : `${Math.round(value * 100)}%`);

/** Per-day series merged on the day, so that one chart shows them together. */
export function byDay(series: Record<string, { starts_on: string; count: number }[]>): Record<string, string | number>[] {
  const days = new Map<string, Record<string, string | number>>();
  for (const [name, points] of Object.entries(series)) {
    for (const point of points) {
      const row = days.get(point.starts_on) ?? { day: point.starts_on };
      row[name] = point.count;
      days.set(point.starts_on, row);
    }
  }
  return [...days.values()]
    .map((row) => Object.fromEntries([...Object.keys(series).map((name) => [name, 0]), ...Object.entries(row)]))
    .sort((a, b) => String(a.day).localeCompare(String(b.day)));
}

export function AnalyticsDashboard({ courseId }: { courseId: string }) {
  const [days, setDays] = useState(30);
  const course = useStudioCourse(courseId);
  const metrics = useCourseMetrics(courseId, days);
  const live = useCourseLive(courseId);

  if (metrics.error) {
    const denied = metrics.error instanceof ApiError && (metrics.error.status === 403 || metrics.error.status === 404);
    return denied ? (
      <p role="alert">Only this course&apos;s instructors and administrators see its analytics.</p>
    ) : (
      <ErrorState error={metrics.error} retry={() => void metrics.mutate()} />
    );
  }
  if (!metrics.data) return <Loading label="Loading the analytics…" />;
  const data = metrics.data;

  return (
    <div className="flex flex-col gap-6">
      <header className="flex flex-col gap-2">
        <p className="text-sm">
          <Link href={`/studio/courses/${courseId}`} className="underline">
            Back to the course
          </Link>
        </p>
        <h1 className="text-2xl font-semibold">Analytics: {course.data?.title ?? "course"}</h1>
        <div className="flex flex-wrap items-center gap-4 text-sm">
          <label className="flex items-center gap-2">
            Period
            <select
              value={days}
              onChange={(event) => setDays(Number(event.target.value))}
              className="rounded-md border border-slate-400 bg-white px-2 py-1 dark:border-slate-500 dark:bg-slate-900"
            >
              <option value={7}>Last 7 days</option>
              <option value={30}>Last 30 days</option>
              <option value={90}>Last 90 days</option>
            </select>
          </label>
          <span data-testid="live-status" className="flex items-center gap-2">
            <span aria-hidden="true" className={`size-2 rounded-full ${live.connected ? "bg-green-600" : "bg-slate-400"}`} />
            {live.connected ? "Live" : "Connecting…"}
            {live.lastEventAt && ` · last activity ${live.lastEventAt.toLocaleTimeString()}`}
          </span>
        </div>
      </header>
      <Totals data={data} />
      <Activity data={data} />
      <Funnel data={data} />
      <DropOffs data={data} />
      <Quizzes data={data} />
      <AtRisk data={data} courseId={courseId} />
    </div>
  );
}

function Totals({ data }: { data: Metrics }) {
  const today = data.daily_active_learners.at(-1)?.count ?? 0;
  const completions = data.completions.reduce((sum, point) => sum + point.count, 0);
  const figures = [
    { label: "Learners enrolled", value: data.enrollments_total, id: "enrolled" },
    { label: "Active today", value: today, id: "active-today" },
    { label: "Completions in the period", value: completions, id: "completions" },
    { label: "At risk", value: data.at_risk.count, id: "at-risk" },
  ];
  return <Figures figures={figures} columns="sm:grid-cols-4" />;
}

function Activity({ data }: { data: Metrics }) {
  const rows = byDay({ enrollments: data.enrollments, active: data.daily_active_learners, completions: data.completions });
  if (rows.length === 0) {
    return (
      <section aria-label="Enrollments and active learners">
        <EmptyState title="No activity in this period yet">Enrollments and active learners will show here.</EmptyState>
      </section>
    );
  }
  return (
    <ChartWithTable
      title="Enrollments and active learners"
      chart={
        <LineChartView
          rows={rows}
          x="day"
          series={[
            { key: "enrollments", label: "New enrollments", color: BLUE },
            { key: "active", label: "Active learners", color: GREEN },
            { key: "completions", label: "Completions", color: AMBER },
          ]}
        />
      }
      table={
        <DataTable
          caption="Enrollments, active learners and completions per day"
          columns={["Day", "New enrollments", "Active learners", "Completions"]}
          rows={rows.map((row) => [row.day, row.enrollments, row.active, row.completions])}
        />
      }
    />
  );
}

function Funnel({ data }: { data: Metrics }) {
  const items = data.modules.flatMap((module) => module.items);
  if (items.length === 0) return <EmptyState title="No published item yet">Publish the course to follow its funnel.</EmptyState>;
  const rows = items.map((item) => ({ item: item.title, started: item.learners_started, completed: item.learners_completed }));
  return (
    <ChartWithTable
      title="Completion funnel"
      chart={
        <BarChartView
          rows={rows}
          x="item"
          layout="vertical"
          series={[
            { key: "started", label: "Started", color: BLUE },
            { key: "completed", label: "Completed", color: GREEN },
          ]}
        />
      }
      table={
        <DataTable
          caption="Learners who started and completed each item"
          columns={["Item", "Started", "Completed", "Completion rate", "Average time"]}
          rows={items.map((item) => [
            item.title,
            item.learners_started,
            item.learners_completed,
            percent(item.completion_rate),
            item.average_seconds === null ? "—" : `${Math.round(item.average_seconds / 60)} min`,
          ])}
        />
      }
    />
  );
}

function DropOffs({ data }: { data: Metrics }) {
  return (
    <Card aria-labelledby="drop-off-heading">
      <h2 id="drop-off-heading" className="mb-2 text-lg font-semibold">
        Drop-off points
      </h2>
      {data.drop_off.length === 0 ? (
        <p className="text-sm">No learner has stopped along the way so far.</p>
      ) : (
        <DataTable
          caption="Items where learners stopped"
          columns={["Item", "Learners lost (completed the item before, not this one)"]}
          rows={data.drop_off.map((drop) => [drop.title, drop.learners_lost])}
        />
      )}
    </Card>
  );
}

const BUCKETS = ["0–9%", "10–19%", "20–29%", "30–39%", "40–49%", "50–59%", "60–69%", "70–79%", "80–89%", "90–99%", "100%"];

function Quizzes({ data }: { data: Metrics }) {
  if (data.quizzes.length === 0) return null;
  return (
    <>
      {data.quizzes.map((quiz) =>
        quiz.attempts === 0 ? (
          <Card key={quiz.content_id} aria-label={`Quiz: ${quiz.title}`}>
            <h2 className="mb-1 text-lg font-semibold">Quiz: {quiz.title}</h2>
            <p className="text-sm">No attempt yet: its score distribution and question difficulty show here once learners take it.</p>
          </Card>
        ) : (
        <div key={quiz.content_id} className="flex flex-col gap-4">
          <ChartWithTable
            title={`Score distribution: ${quiz.title}`}
            chart={
              <BarChartView
                rows={quiz.score_distribution.map((count, index) => ({ score: BUCKETS[index] ?? "", attempts: count }))}
                x="score"
                series={[{ key: "attempts", label: "Attempts", color: BLUE }]}
              />
            }
            table={
              <DataTable
                caption={`Attempts per score band, ${quiz.title}`}
                columns={["Score", "Attempts"]}
                rows={quiz.score_distribution.map((count, index) => [BUCKETS[index], count])}
              />
            }
          />
          <Card aria-label={`Question difficulty: ${quiz.title}`}>
            <h2 className="mb-2 text-lg font-semibold">Question difficulty: {quiz.title}</h2>
            <p className="mb-2 text-sm">
              {quiz.attempts} attempts, average score {percent(quiz.average_score)}. Difficulty is the share of wrong answers.
            </p>
            <DataTable
              caption={`Difficulty of each question, ${quiz.title}`}
              columns={["Question", "Answered", "Correct", "Difficulty"]}
              rows={quiz.questions.map((question) => [
                question.question_id,
                question.answered,
                question.correct,
                question.correct_rate === null ? "—" : percent(1 - question.correct_rate),
              ])}
            />
          </Card>
        </div>
        ),
      )}
    </>
  );
}

function AtRisk({ data, courseId }: { data: Metrics; courseId: string }) {
  return (
    <Card aria-labelledby="at-risk-heading">
      <h2 id="at-risk-heading" className="mb-2 text-lg font-semibold">
        Learners at risk
      </h2>
      <p className="mb-2 text-sm text-slate-600 dark:text-slate-300">
        Not finished and inactive for {data.at_risk.inactive_days} days or more ({data.at_risk.method}).
      </p>
      {data.at_risk.learners.length === 0 ? (
        <p className="text-sm">Nobody is at risk right now.</p>
      ) : (
        <DataTable
          caption="Learners at risk, the longest inactive first"
          columns={["Learner", "Last active", "Days inactive", "Items completed"]}
          rows={data.at_risk.learners.map((learner) => [
            <Link key={learner.user_id} className="underline" href={`/studio/courses/${courseId}/learners?learner=${learner.user_id}`}>
              {learner.user_id.slice(0, 8)}
            </Link>,
            learner.last_active_on ?? "never",
            learner.days_inactive,
            learner.items_completed,
          ])}
        />
      )}
    </Card>
  );
}
