import { ApiError } from "@/lib/api/errors";

/** The weak ETag of a course (its revision) or of an item (its version). */
export function etagOf(revision: number): string {
  return `W/"${revision}"`;
}

/** Someone saved a newer version after the one this edit started from (412 Precondition Failed). */
export function isEditConflict(error: unknown): boolean {
  return error instanceof ApiError && error.status === 412;
}

export type Fields = Record<string, string>;

export interface FieldConflict {
  field: string;
  mine: string;
  theirs: string;
  /** Both changed the field from what the edit started with, differently. */
  clash: boolean;
}

/**
 * The fields where my unsaved edit and the version saved meanwhile differ; a clash is a field
 * both of us changed from the base, to different values (the ones to look at before overwriting).
 */
export function conflictingFields(base: Fields, mine: Fields, theirs: Fields): FieldConflict[] {
  const names = [...new Set([...Object.keys(mine), ...Object.keys(theirs)])];
  return names
    .filter((field) => (mine[field] ?? "") !== (theirs[field] ?? ""))
    .map((field) => {
      const original = base[field] ?? "";
      const mineValue = mine[field] ?? "";
      const theirsValue = theirs[field] ?? "";
      return {
        field,
        mine: mineValue,
        theirs: theirsValue,
        clash: mineValue !== original && theirsValue !== original,
      };
    });
}

/**
 * My edit carried onto their version: the fields I changed from the base keep my value, the
 * others take theirs (what "keep my changes" saves on top of the newer version).
 */
export function rebase(base: Fields, mine: Fields, theirs: Fields): Fields {
  const merged: Fields = { ...theirs };
  for (const [field, value] of Object.entries(mine)) {
    if (value !== (base[field] ?? "")) merged[field] = value;
  }
  return merged;
}

export interface Draft {
  title: string;
  content: Record<string, unknown>;
}

/** The content as the API takes it back: without the `<field>_html` renderings it adds, at any depth. */
export function editableContent(content: Record<string, unknown>): Record<string, unknown> {
  return withoutRenderings(content) as Record<string, unknown>;
}

function withoutRenderings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutRenderings);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.endsWith("_html"))
      .map(([key, inner]) => [key, withoutRenderings(inner)]),
  );
}

/** A draft as comparable fields: the title and each top-level content field (JSON if not text). */
export function toFields(draft: Draft): Fields {
  const fields: Fields = { title: draft.title };
  for (const [key, value] of Object.entries(draft.content)) {
    fields[`content.${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return fields;
}

/** The draft that `toFields` made these fields of (`like` says which content fields are text). */
export function fromFields(fields: Fields, like: Draft): Draft {
  const content: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (!name.startsWith("content.")) continue;
    const key = name.slice("content.".length);
    content[key] = typeof like.content[key] === "string" ? value : JSON.parse(value);
  }
  return { title: fields.title ?? like.title, content };
}
