"use client";

import { useState, type FormEvent } from "react";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { FormMessage, type Message } from "@/components/ui/form-message";
import { EmptyState, ErrorState, Loading } from "@/components/ui/states";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { ApiError, toProblem } from "@/lib/api/errors";
import { useSession } from "@/stores/session";

import { DataTable } from "./analytics/data-table";
import { useReports, useTaughtCourses } from "./data";

type Report = Schemas["ReportRead"];

const KINDS: { value: Schemas["ReportKind"]; label: string; needsCourse: boolean }[] = [
  { value: "course_progress", label: "Course progress", needsCourse: true },
  { value: "quiz_item_analysis", label: "Quiz item analysis", needsCourse: true },
  { value: "learner_transcript", label: "My transcript", needsCourse: false },
  { value: "platform_summary", label: "Platform summary (administrators)", needsCourse: false },
];
const select = "rounded-md border border-slate-400 bg-white px-3 py-2 dark:border-slate-500 dark:bg-slate-900";

/** Fetches the file with the session's token and hands it to the browser as a download. */
async function download(report: Report): Promise<void> {
  const response = await fetch(`/api/v1/analytics/reports/${report.report_id}/download`, {
    headers: { Authorization: `Bearer ${useSession.getState().accessToken ?? ""}` },
  });
  if (!response.ok) throw new ApiError(toProblem(await response.json().catch(() => null), response));
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = report.filename ?? `report.${report.format}`;
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

export function Reports() {
  const reports = useReports();
  const courses = useTaughtCourses();
  const [kind, setKind] = useState<Schemas["ReportKind"]>("course_progress");
  const [message, setMessage] = useState<Message | null>(null);
  const needsCourse = KINDS.find((known) => known.value === kind)?.needsCourse ?? false;

  async function request(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setMessage(null);
    try {
      await unwrap(
        api.POST("/api/v1/analytics/reports", {
          body: {
            kind,
            format: form.get("format") as Schemas["ReportFormat"],
            course_id: needsCourse ? String(form.get("course")) : null,
            include_identities: false,
          },
        }),
      );
      setMessage({ text: "Report requested: it is being prepared below.", error: false });
      await reports.mutate();
    } catch (caught) {
      setMessage({ text: caught instanceof Error ? caught.message : "The report could not be requested.", error: true });
    }
  }

  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Reports</h1>
      <Card>
        <h2 className="mb-3 text-lg font-semibold">Request a report</h2>
        <form onSubmit={request} className="flex flex-wrap items-end gap-3">
          <label className="flex flex-col gap-1 text-sm font-medium">
            Report
            <select aria-label="Report" className={select} value={kind} onChange={(event) => setKind(event.target.value as Schemas["ReportKind"])}>
              {KINDS.map((known) => (
                <option key={known.value} value={known.value}>
                  {known.label}
                </option>
              ))}
            </select>
          </label>
          {needsCourse && (
            <label className="flex flex-col gap-1 text-sm font-medium">
              Course
              <select aria-label="Course" className={select} name="course" required>
                {courses.data?.items.map((course) => (
                  <option key={course.course_id} value={course.course_id}>
                    {course.title}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label className="flex flex-col gap-1 text-sm font-medium">
            Format
            <select aria-label="Format" className={select} name="format" defaultValue="csv">
              <option value="csv">CSV</option>
              <option value="xlsx">Excel (XLSX)</option>
              <option value="pdf">PDF</option>
            </select>
          </label>
          <Button type="submit">Request report</Button>
        </form>
        <FormMessage message={message} className="mt-2" />
      </Card>
      <Card aria-labelledby="my-reports-heading">
        <h2 id="my-reports-heading" className="mb-2 text-lg font-semibold">
          My reports
        </h2>
        {reports.error ? (
          <ErrorState error={reports.error} retry={() => void reports.mutate()} />
        ) : !reports.data ? (
          <Loading label="Loading your reports…" />
        ) : reports.data.items.length === 0 ? (
          <EmptyState title="No report yet">Request one above; it is kept for a while to download.</EmptyState>
        ) : (
          <DataTable
            caption="My reports, newest first"
            columns={["Report", "Format", "Requested", "Status", ""]}
            rows={reports.data.items.map((report) => [
              KINDS.find((known) => known.value === report.kind)?.label ?? report.kind,
              report.format.toUpperCase(),
              new Date(report.created_at).toLocaleString(),
              <span key="status" role="status" data-testid={`report-status-${report.report_id}`}>
                {report.status === "pending" ? "Preparing…" : report.status === "ready" ? "Ready" : `Failed: ${report.error ?? ""}`}
              </span>,
              report.status === "ready" ? (
                <Button
                  key="download"
                  variant="secondary"
                  onClick={() =>
                    void download(report).catch((caught: unknown) =>
                      setMessage({ text: caught instanceof Error ? caught.message : "Download failed.", error: true }),
                    )
                  }
                >
                  Download {report.filename ?? ""}
                </Button>
              ) : null,
            ])}
          />
        )}
      </Card>
    </div>
  );
}
