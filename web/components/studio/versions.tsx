"use client";

import { useState } from "react";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { FormMessage, type Message } from "@/components/ui/form-message";
import { ErrorState, Loading } from "@/components/ui/states";
import { api, unwrap, type Schemas } from "@/lib/api/client";

import { etagOf } from "./conflict";
import { useVersions } from "./data";
import { diffLines, displayValue } from "./diff";

type Item = Schemas["ItemRead"];
type Diff = Schemas["VersionDiff"];

/** The item's history: compare two versions, revert to one. */
export function Versions({ item, onReverted }: { item: Item; onReverted: () => Promise<unknown> }) {
  const versions = useVersions(item.content_id);
  const [from, setFrom] = useState<number | null>(null);
  const [diff, setDiff] = useState<Diff | null>(null);
  const [message, setMessage] = useState<Message | null>(null);

  async function compare(older: number, newer: number) {
    setMessage(null);
    try {
      setDiff(
        await unwrap(
          api.GET("/api/v1/items/{content_id}/versions/diff", {
            params: { path: { content_id: item.content_id }, query: { from: older, to: newer } },
          }),
        ),
      );
    } catch (caught) {
      setMessage({ text: caught instanceof Error ? caught.message : "The comparison failed.", error: true });
    }
  }

  async function revert(version: number) {
    setMessage(null);
    try {
      await unwrap(
        api.POST("/api/v1/items/{content_id}/revert", {
          params: { path: { content_id: item.content_id } },
          headers: { "If-Match": etagOf(item.version) },
          body: { to_version: version, change_note: `Reverted to version ${version}` },
        }),
      );
      setDiff(null);
      await onReverted();
    } catch (caught) {
      setMessage({ text: caught instanceof Error ? caught.message : "Reverting failed.", error: true });
    }
  }

  return (
    <Card aria-labelledby="versions-heading" className="flex flex-col gap-3">
      <h2 id="versions-heading" className="text-lg font-semibold">
        Versions
      </h2>
      {versions.error ? (
        <ErrorState error={versions.error} retry={() => void versions.mutate()} />
      ) : !versions.data ? (
        <Loading label="Loading the history…" />
      ) : (
        <>
          <p className="text-sm text-slate-600 dark:text-slate-300">
            Pick a version to compare from, then the one to compare with.
          </p>
          <ol className="flex flex-col gap-1">
            {versions.data.items.map((version) => (
              <li key={version.version} className="flex flex-wrap items-center gap-2 text-sm">
                <span className="w-24 font-medium">Version {version.version}</span>
                <span className="flex-1">
                  {version.title}
                  {version.change_note && ` — ${version.change_note}`}
                  {version.is_published && " (published)"} · {new Date(version.created_at).toLocaleString()}
                </span>
                {from === null ? (
                  <Button variant="ghost" onClick={() => setFrom(version.version)}>
                    Compare from {version.version}
                  </Button>
                ) : from !== version.version ? (
                  <Button
                    variant="ghost"
                    onClick={() => {
                      void compare(Math.min(from, version.version), Math.max(from, version.version));
                      setFrom(null);
                    }}
                  >
                    Compare with {version.version}
                  </Button>
                ) : (
                  <Button variant="ghost" onClick={() => setFrom(null)}>
                    Cancel compare
                  </Button>
                )}
                {version.version !== item.version && (
                  <Button variant="ghost" onClick={() => void revert(version.version)}>
                    Revert to {version.version}
                  </Button>
                )}
              </li>
            ))}
          </ol>
        </>
      )}
      <FormMessage message={message} />
      {diff && <DiffView diff={diff} />}
    </Card>
  );
}

function DiffView({ diff }: { diff: Diff }) {
  return (
    <section aria-label={`Changes from version ${diff.from_version} to version ${diff.to_version}`} className="flex flex-col gap-3">
      <h3 className="font-semibold">
        From version {diff.from_version} to version {diff.to_version}
      </h3>
      {diff.changes.length === 0 && <p>No difference.</p>}
      {diff.changes.map((change) => (
        <div key={`${change.field}-${change.kind}`} className="rounded border border-slate-200 p-2 dark:border-slate-700">
          <p className="text-sm font-medium">
            {change.field} <span className="font-normal">({change.kind})</span>
          </p>
          <pre className="overflow-x-auto text-sm">
            {diffLines(displayValue(change.old), displayValue(change.new)).map((line, index) => (
              <div
                key={index}
                className={
                  line.kind === "added"
                    ? "bg-green-100 text-green-950 dark:bg-green-950 dark:text-green-50"
                    : line.kind === "removed"
                      ? "bg-red-100 text-red-950 line-through dark:bg-red-950 dark:text-red-50"
                      : ""
                }
              >
                <span aria-hidden="true">{line.kind === "added" ? "+ " : line.kind === "removed" ? "- " : "  "}</span>
                <span className="sr-only">{line.kind === "same" ? "" : `${line.kind}: `}</span>
                {line.text}
              </div>
            ))}
          </pre>
        </div>
      ))}
    </section>
  );
}
