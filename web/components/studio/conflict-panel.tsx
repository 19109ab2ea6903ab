"use client";

import { Button } from "@/components/ui/button";

import { conflictingFields, fromFields, rebase, toFields, type Draft } from "./conflict";

function fieldName(field: string): string {
  return field.replace(/^content\./, "").replace(/_/g, " ");
}

/** An edit conflict: what I changed and what was saved meanwhile, and the two ways out. */
export function ConflictPanel({
  base,
  mine,
  theirs,
  saving,
  onKeepMine,
  onTakeTheirs,
}: {
  base: Draft;
  mine: Draft;
  theirs: { version: number; draft: Draft };
  saving: boolean;
  onKeepMine: (merged: Draft) => void;
  onTakeTheirs: () => void;
}) {
  const [baseFields, mineFields, theirFields] = [toFields(base), toFields(mine), toFields(theirs.draft)];
  const differences = conflictingFields(baseFields, mineFields, theirFields);
  const merged = fromFields(rebase(baseFields, mineFields, theirFields), theirs.draft);
  return (
    <section
      role="alert"
      aria-labelledby="conflict-heading"
      className="flex flex-col gap-3 rounded-md border border-red-400 bg-red-50 p-4 text-red-950 dark:border-red-700 dark:bg-red-950 dark:text-red-50"
    >
      <h2 id="conflict-heading" className="text-lg font-semibold">
        Edit conflict: version {theirs.version} was saved while you were editing
      </h2>
      <p>Your changes are not lost. Compare them with the newer version, then choose.</p>
      <table className="w-full table-fixed text-left text-sm">
        <caption className="sr-only">Fields that differ</caption>
        <thead>
          <tr>
            <th scope="col" className="w-1/5">Field</th>
            <th scope="col">Yours</th>
            <th scope="col">Version {theirs.version}</th>
          </tr>
        </thead>
        <tbody>
          {differences.map((difference) => (
            <tr key={difference.field} className="align-top">
              <th scope="row" className="capitalize">
                {fieldName(difference.field)}
                {difference.clash && <span className="block text-xs font-normal">changed by both</span>}
              </th>
              <td className="pr-2 break-words whitespace-pre-wrap">{difference.mine}</td>
              <td className="break-words whitespace-pre-wrap">{difference.theirs}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="flex flex-wrap gap-2">
        <Button onClick={() => onKeepMine(merged)} disabled={saving}>
          Save my changes on top of version {theirs.version}
        </Button>
        <Button variant="secondary" onClick={onTakeTheirs} disabled={saving}>
          Discard mine and load version {theirs.version}
        </Button>
      </div>
    </section>
  );
}
