"use client";

import { useState, type FormEvent } from "react";

import { CourseCard } from "@/components/features/catalog/course-card";
import { Pagination } from "@/components/features/catalog/pagination";
import { Button } from "@/components/ui/button";
import { EmptyState, ErrorState, Loading } from "@/components/ui/states";
import type { Schemas } from "@/lib/api/client";
import { useCatalog, type CatalogQuery } from "@/lib/hooks/data";

const PAGE_SIZE = 12;
const LEVELS: Schemas["Level"][] = ["beginner", "intermediate", "advanced"];
const LANGUAGES = [
  { code: "en", name: "English" },
  { code: "es", name: "Spanish" },
  { code: "fr", name: "French" },
  { code: "de", name: "German" },
];

export function Catalog() {
  const [query, setQuery] = useState<CatalogQuery>({ offset: 0, limit: PAGE_SIZE });
  const { data, error, isLoading, mutate } = useCatalog(query);

  function search(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const level = String(form.get("level") ?? "");
    const language = String(form.get("language") ?? "");
    setQuery({
      q: String(form.get("q") ?? "").trim() || undefined,
      level: LEVELS.find((known) => known === level),
      language: language || undefined,
      offset: 0,
      limit: PAGE_SIZE,
    });
  }

  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Catalog</h1>
      <form
        role="search"
        onSubmit={search}
        className="grid gap-3 sm:grid-cols-[1fr_auto_auto_auto] sm:items-end"
      >
        <div className="flex flex-col gap-1">
          <label htmlFor="catalog-q" className="text-sm font-medium">
            Search courses
          </label>
          <input
            id="catalog-q"
            name="q"
            type="search"
            maxLength={200}
            placeholder="Title, topic or instructor"
            className="rounded-md border border-slate-400 bg-white px-3 py-2 dark:border-slate-500 dark:bg-slate-900"
          />
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor="catalog-level" className="text-sm font-medium">
            Level
          </label>
          <select
            id="catalog-level"
            name="level"
            className="rounded-md border border-slate-400 bg-white px-3 py-2 dark:border-slate-500 dark:bg-slate-900"
          >
            <option value="">Any level</option>
            {LEVELS.map((level) => (
              <option key={level} value={level}>
                {level[0]?.toUpperCase() + level.slice(1)}
              </option>
            ))}
          </select>
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor="catalog-language" className="text-sm font-medium">
            Language
          </label>
          <select
            id="catalog-language"
            name="language"
            className="rounded-md border border-slate-400 bg-white px-3 py-2 dark:border-slate-500 dark:bg-slate-900"
          >
            <option value="">Any language</option>
            {LANGUAGES.map((language) => (
              <option key={language.code} value={language.code}>
                {language.name}
              </option>
            ))}
          </select>
        </div>
        <Button type="submit">Search</Button>
      </form>

      {error ? (
        <ErrorState error={error} retry={() => void mutate()} />
      ) : isLoading || !data ? (
        <Loading label="Loading courses…" />
      ) : data.items.length === 0 ? (
        <EmptyState title="No course matches">Try other words or fewer filters.</EmptyState>
      ) : (
        <>
          <p className="text-sm text-slate-600 dark:text-slate-300" aria-live="polite">
            {data.total} {data.total === 1 ? "course" : "courses"}
          </p>
          <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
            {data.items.map((course) => (
              <li key={course.course_id}>
                <CourseCard course={course} />
              </li>
            ))}
          </ul>
          <Pagination
            offset={data.offset}
            limit={data.limit}
            total={data.total}
            onChange={(offset) => setQuery({ ...query, offset })}
          />
        </>
      )}
    </div>
  );
}
