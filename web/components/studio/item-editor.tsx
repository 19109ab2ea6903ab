"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";
import { mutate } from "swr";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { ErrorState, Loading } from "@/components/ui/states";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { ApiError } from "@/lib/api/errors";

import { AiAssistant } from "./ai-assistant";
import { ConflictPanel } from "./conflict-panel";
import { editableContent, etagOf, isEditConflict, type Draft } from "./conflict";
import { studioKeys, useDraftItem } from "./data";
import { MarkdownPreview, QuizPreview, VideoPreview } from "./preview";
import { QuizFields, type Question } from "./quiz-fields";
import { Versions } from "./versions";

type Item = Schemas["ItemRead"];

export function ItemEditor({ courseId, contentId }: { courseId: string; contentId: string }) {
  const item = useDraftItem(contentId);
  if (item.error) {
    const missing = item.error instanceof ApiError && item.error.status === 404;
    return missing ? (
      <p role="alert">This item does not exist, or you do not teach its course.</p>
    ) : (
      <ErrorState error={item.error} retry={() => void item.mutate()} />
    );
  }
  if (!item.data) return <Loading label="Loading the item…" />;
  // Keyed by version: a newer version (saved, reverted) starts a fresh edit.
  return <EditorForm key={item.data.version} courseId={courseId} item={item.data} />;
}

function draftOf(item: Item): Draft {
  return { title: item.title, content: editableContent(item.content) };
}

function EditorForm({ courseId, item }: { courseId: string; item: Item }) {
  const [base, setBase] = useState<{ version: number; draft: Draft }>({ version: item.version, draft: draftOf(item) });
  const [draft, setDraft] = useState<Draft>(base.draft);
  const [theirs, setTheirs] = useState<Item | null>(null);
  const [status, setStatus] = useState<{ text: string; error: boolean } | null>(null);
  const [saving, setSaving] = useState(false);
  const setContent = (changes: Record<string, unknown>) => setDraft({ ...draft, content: { ...draft.content, ...changes } });

  async function refresh() {
    await Promise.all([mutate(studioKeys.item(item.content_id)), mutate(studioKeys.versions(item.content_id)), mutate(studioKeys.course(courseId))]);
  }

  async function save(toSave: Draft, onVersion: number) {
    setSaving(true);
    setStatus(null);
    try {
      await unwrap(
        api.PATCH("/api/v1/items/{content_id}", {
          params: { path: { content_id: item.content_id } },
          headers: { "If-Match": etagOf(onVersion) },
          body: { title: toSave.title, content: toSave.content as Schemas["ItemUpdate"]["content"], change_note: "" },
        }),
      );
      setTheirs(null);
      await refresh();
    } catch (caught) {
      if (isEditConflict(caught)) {
        // Someone saved meanwhile: keep my edit, fetch theirs, and let me choose.
        const latest = await unwrap(
          api.GET("/api/v1/items/{content_id}", {
            params: { path: { content_id: item.content_id }, query: { view: "draft" } },
            cache: "no-store",
          }),
        );
        setTheirs(latest);
      } else {
        setStatus({ text: caught instanceof Error ? caught.message : "Saving failed.", error: true });
      }
    } finally {
      setSaving(false);
    }
  }

  async function publish() {
    setStatus(null);
    try {
      await unwrap(
        api.POST("/api/v1/items/{content_id}/publish", {
          params: { path: { content_id: item.content_id } },
          headers: { "If-Match": etagOf(item.version) },
        }),
      );
      await refresh();
      setStatus({ text: `Version ${item.version} is published.`, error: false });
    } catch (caught) {
      setStatus({ text: caught instanceof Error ? caught.message : "Publishing failed.", error: true });
    }
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void save(draft, base.version);
  }

  const content = draft.content;
  const dirty = JSON.stringify(draft) !== JSON.stringify(base.draft);
  return (
    <div className="flex flex-col gap-6">
      <header className="flex flex-col gap-2">
        <p className="text-sm">
          <Link href={`/studio/courses/${courseId}`} className="underline">
            Back to the course
          </Link>
        </p>
        <h1 className="text-2xl font-semibold">{item.title}</h1>
        <p className="text-sm text-slate-600 dark:text-slate-300">
          <span className="capitalize">{item.type}</span> · version {item.version} ·{" "}
          {item.published_version === null
            ? "never published"
            : item.has_unpublished_changes
              ? `version ${item.published_version} is published; this one is not yet`
              : "published"}
        </p>
      </header>

      {theirs && (
        <ConflictPanel
          base={base.draft}
          mine={draft}
          theirs={{ version: theirs.version, draft: draftOf(theirs) }}
          saving={saving}
          onKeepMine={(merged) => {
            setBase({ version: theirs.version, draft: draftOf(theirs) });
            setDraft(merged);
            void save(merged, theirs.version);
          }}
          onTakeTheirs={() => {
            setTheirs(null);
            void refresh();
          }}
        />
      )}

      <div className="grid gap-6 lg:grid-cols-2">
        <form onSubmit={submit} className="flex flex-col gap-4" aria-label="Edit the item">
          <Field label="Title" value={draft.title} onChange={(event) => setDraft({ ...draft, title: event.target.value })} required maxLength={255} />
          {item.type === "lesson" && (
            <TextArea label="Lesson (Markdown)" rows={16} value={String(content.body ?? "")} onChange={(body) => setContent({ body })} />
          )}
          {item.type === "quiz" && (
            <>
              <TextArea
                label="Instructions (Markdown)"
                rows={3}
                value={String(content.instructions ?? "")}
                onChange={(instructions) => setContent({ instructions })}
              />
              <QuizFields questions={(content.questions ?? []) as Question[]} onChange={(questions) => setContent({ questions })} />
            </>
          )}
          {item.type === "video" && (
            <>
              <Field
                label="Duration (seconds)"
                type="number"
                min={1}
                value={Number(content.duration_seconds ?? 1)}
                onChange={(event) => setContent({ duration_seconds: Number(event.target.value) })}
              />
              <TextArea
                label="Transcript"
                rows={6}
                value={String(content.transcript ?? "")}
                onChange={(transcript) => setContent({ transcript: transcript || null })}
              />
            </>
          )}
          <div className="flex flex-wrap items-center gap-3">
            <Button type="submit" disabled={saving || !dirty}>
              {saving ? "Saving…" : "Save draft"}
            </Button>
            <Button variant="secondary" onClick={() => void publish()} disabled={dirty || !item.has_unpublished_changes && item.published_version !== null}>
              Publish this version
            </Button>
            {dirty && <span className="text-sm text-slate-600 dark:text-slate-300">Unsaved changes</span>}
          </div>
          {status && (
            <p role={status.error ? "alert" : "status"} className={status.error ? "text-red-700 dark:text-red-300" : ""}>
              {status.text}
            </p>
          )}
        </form>
        <Card aria-labelledby="preview-heading" className="flex flex-col gap-3 self-start">
          <h2 id="preview-heading" className="text-lg font-semibold">
            Preview
          </h2>
          <h3 className="text-xl font-semibold">{draft.title}</h3>
          {item.type === "lesson" && <MarkdownPreview markdown={String(content.body ?? "")} />}
          {item.type === "quiz" && (
            <QuizPreview instructions={String(content.instructions ?? "")} questions={(content.questions ?? []) as Question[]} />
          )}
          {item.type === "video" && <VideoPreview mediaId={String(content.media_id)} seconds={Number(content.duration_seconds)} />}
        </Card>
      </div>

      <AiAssistant courseId={courseId} item={item} source={String(content.body ?? content.transcript ?? content.instructions ?? "")} />
      <Versions item={item} onReverted={refresh} />
    </div>
  );
}

function TextArea({ label, value, onChange, rows }: { label: string; value: string; onChange: (value: string) => void; rows: number }) {
  const id = `field-${label.replace(/\W+/g, "-").toLowerCase()}`;
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      <textarea
        id={id}
        rows={rows}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        className="rounded-md border border-slate-400 bg-white px-3 py-2 font-mono text-sm text-slate-900 dark:border-slate-500 dark:bg-slate-900 dark:text-slate-100"
      />
    </div>
  );
}
