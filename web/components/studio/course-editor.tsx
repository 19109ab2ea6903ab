"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";
import { mutate } from "swr";

import { Button, buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { FormMessage, type Message } from "@/components/ui/form-message";
import { EmptyState, ErrorState, Loading } from "@/components/ui/states";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { ApiError } from "@/lib/api/errors";

import { AddItem } from "./add-item";
import { etagOf, isEditConflict } from "./conflict";
import { studioKeys, useStudioCourse } from "./data";
import { sameOrder } from "./reorder";
import { SortableList } from "./sortable-list";
import { StatusBadge } from "./status-badge";

type Course = Schemas["CourseRead"];
type Module = Schemas["OutlineModule"];

const TYPE_LABELS: Record<string, string> = { lesson: "Lesson", video: "Video", quiz: "Quiz" };

export function CourseEditor({ courseId }: { courseId: string }) {
  const course = useStudioCourse(courseId);
  const [problem, setProblem] = useState<{ conflict: boolean; message: string } | null>(null);
  const [busy, setBusy] = useState(false);

  if (course.error) {
    const missing = course.error instanceof ApiError && course.error.status === 404;
    return missing ? (
      <p role="alert">This course does not exist, or you do not teach it.</p>
    ) : (
      <ErrorState error={course.error} retry={() => void course.mutate()} />
    );
  }
  if (!course.data) return <Loading label="Loading the course…" />;
  const data = course.data;
  if (!data.viewer.can_edit) {
    return <p role="alert">You can see this course but not edit it: only its instructors can.</p>;
  }
  const ifMatch = { "If-Match": etagOf(data.revision) };

  /** Runs a change to the course; a stale revision is reported as a conflict, not applied. */
  async function change(run: () => Promise<unknown>) {
    setBusy(true);
    setProblem(null);
    try {
      await run();
    } catch (caught) {
      setProblem({
        conflict: isEditConflict(caught),
        message: caught instanceof Error ? caught.message : "The change failed.",
      });
    } finally {
      await course.mutate();
      setBusy(false);
    }
  }

  function reorderModules(ids: string[]) {
    if (sameOrder(ids, data.modules.map((module) => module.module_id))) return;
    void change(() =>
      unwrap(
        api.PUT("/api/v1/courses/{course_id}/modules/order", {
          params: { path: { course_id: courseId } },
          headers: ifMatch,
          body: { module_ids: ids },
        }),
      ),
    );
  }

  function reorderItems(module: Module, ids: string[]) {
    if (sameOrder(ids, module.items.map((item) => item.content_id))) return;
    void change(() =>
      unwrap(
        api.PUT("/api/v1/courses/{course_id}/modules/{module_id}/items/order", {
          params: { path: { course_id: courseId, module_id: module.module_id } },
          headers: ifMatch,
          body: { item_ids: ids },
        }),
      ),
    );
  }

  function addModule(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const title = String(new FormData(form).get("title") ?? "");
    void change(async () => {
      await unwrap(
        api.POST("/api/v1/courses/{course_id}/modules", {
          params: { path: { course_id: courseId } },
          headers: ifMatch,
          body: { title, description: "" },
        }),
      );
      form.reset();
    });
  }

  function publish() {
    void change(async () => {
      await unwrap(
        api.POST("/api/v1/courses/{course_id}/publish", {
          params: { path: { course_id: courseId } },
          headers: ifMatch,
        }),
      );
      await mutate(studioKeys.taught);
    });
  }

  return (
    <div className="flex flex-col gap-6">
      <header className="flex flex-col gap-3">
        <p className="text-sm">
          <Link href="/studio" className="underline">
            My courses
          </Link>
        </p>
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold">{data.title}</h1>
          <StatusBadge status={data.status} />
        </div>
        <div className="flex flex-wrap gap-2">
          <Button onClick={publish} disabled={busy || data.modules.length === 0}>
            {data.status === "published" ? "Publish changes" : "Publish course"}
          </Button>
          <Link href={`/studio/courses/${courseId}/analytics`} className={buttonClass("secondary")}>
            Analytics
          </Link>
          <Link href={`/studio/courses/${courseId}/learners`} className={buttonClass("secondary")}>
            Learners
          </Link>
          {data.status === "published" && (
            <Link href={`/courses/${courseId}`} className={buttonClass("ghost")}>
              View as a learner
            </Link>
          )}
        </div>
      </header>

      {problem && (
        <div
          role="alert"
          className="flex flex-wrap items-center gap-3 rounded-md border border-red-300 bg-red-50 p-4 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
        >
          <p className="flex-1">
            {problem.conflict
              ? "Edit conflict: the course was changed elsewhere since you loaded it. Your change was not saved; the latest version is shown now, so check it and try again."
              : problem.message}
          </p>
          <Button variant="secondary" onClick={() => setProblem(null)}>
            Dismiss
          </Button>
        </div>
      )}

      <CourseDetails course={data} onSaved={() => course.mutate()} />

      <section aria-labelledby="modules-heading" className="flex flex-col gap-3">
        <h2 id="modules-heading" className="text-xl font-semibold">
          Modules
        </h2>
        {data.modules.length === 0 ? (
          <EmptyState title="No module yet">Add a module, then lessons, videos and quizzes in it.</EmptyState>
        ) : (
          <SortableList
            noun="module"
            items={data.modules}
            idOf={(module) => module.module_id}
            labelOf={(module) => module.title}
            onReorder={reorderModules}
            disabled={busy}
          >
            {(module) => (
              <div className="flex flex-col gap-2">
                <h3 className="font-semibold">{module.title}</h3>
                {module.items.length === 0 ? (
                  <p className="text-sm text-slate-600 dark:text-slate-300">No item in this module yet.</p>
                ) : (
                  <SortableList
                    noun="item"
                    items={module.items}
                    idOf={(item) => item.content_id}
                    labelOf={(item) => item.title}
                    onReorder={(ids) => reorderItems(module, ids)}
                    disabled={busy}
                  >
                    {(item) => (
                      <Link
                        href={`/studio/courses/${courseId}/items/${item.content_id}`}
                        className="flex gap-2 py-1 hover:underline"
                      >
                        <span className="text-sm text-slate-600 dark:text-slate-300">
                          {TYPE_LABELS[item.type] ?? item.type}
                        </span>
                        <span>{item.title}</span>
                      </Link>
                    )}
                  </SortableList>
                )}
                <AddItem courseId={courseId} moduleId={module.module_id} moduleTitle={module.title} />
              </div>
            )}
          </SortableList>
        )}
        <form onSubmit={addModule} className="flex flex-wrap items-end gap-3">
          <Field label="New module title" name="title" required maxLength={255} />
          <Button type="submit" variant="secondary" disabled={busy}>
            Add module
          </Button>
        </form>
      </section>

    </div>
  );
}

function CourseDetails({ course, onSaved }: { course: Course; onSaved: () => unknown }) {
  const [message, setMessage] = useState<Message | null>(null);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    try {
      await unwrap(
        api.PATCH("/api/v1/courses/{course_id}", {
          params: { path: { course_id: course.course_id } },
          headers: { "If-Match": etagOf(course.revision) },
          body: { title: String(form.get("title")), summary: String(form.get("summary")) },
        }),
      );
      setMessage({ text: "Saved.", error: false });
    } catch (caught) {
      setMessage({
        text: isEditConflict(caught)
          ? "Edit conflict: the course was changed elsewhere since you loaded it. The latest details are shown now; make your change again."
          : caught instanceof Error
            ? caught.message
            : "Saving failed.",
        error: true,
      });
    }
    await onSaved();
  }

  return (
    <Card>
      <details>
        <summary className="cursor-pointer font-semibold">Course details</summary>
        {/* Keyed by revision: a newer course (saved here or elsewhere) resets the fields. */}
        <form key={course.revision} onSubmit={save} className="mt-3 grid gap-3 sm:grid-cols-2">
          <Field label="Title" name="title" defaultValue={course.title} required maxLength={255} />
          <Field label="Summary" name="summary" defaultValue={course.summary} maxLength={500} />
          <div className="flex items-center gap-3 sm:col-span-2">
            <Button type="submit" variant="secondary">
              Save details
            </Button>
            <FormMessage message={message} />
          </div>
        </form>
      </details>
    </Card>
  );
}
