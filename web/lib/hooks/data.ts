"use client";

import useSWR from "swr";

import { api, unwrap, type Schemas } from "@/lib/api/client";
import { useSession } from "@/stores/session";

export interface CatalogQuery {
  q?: string;
  level?: Schemas["Level"];
  language?: string;
  offset: number;
  limit: number;
}

/** SWR keys, in one place so that live events and flushes revalidate the right data. */
export const keys = {
  catalog: (query: CatalogQuery) => ["catalog", query] as const,
  course: (courseId: string) => ["course", courseId] as const,
  courseProgress: (courseId: string) => ["course-progress", courseId] as const,
  myProgress: ["my-progress"] as const,
  summary: ["achievement-summary"] as const,
  achievements: ["achievements"] as const,
  item: (contentId: string) => ["item", contentId] as const,
  itemProgress: (contentId: string) => ["item-progress", contentId] as const,
  settings: ["settings"] as const,
  sessions: ["sessions"] as const,
  recommendations: ["recommendations"] as const,
  dueReviews: ["due-reviews"] as const,
  paths: ["paths"] as const,
  userProgress: (days: number) => ["user-progress", days] as const,
  certificates: ["certificates"] as const,
  ssoProviders: ["sso-providers"] as const,
};

/** Keys of everything a learner's progress changes (live events revalidate them). */
export function isProgressKey(key: unknown): boolean {
  const kind = Array.isArray(key) ? key[0] : undefined;
  return [
    "course-progress",
    "my-progress",
    "item-progress",
    "achievement-summary",
    "achievements",
    "recommendations",
    "due-reviews",
    "paths",
    "user-progress",
    "certificates",
  ].includes(kind);
}

function useSignedIn(): boolean {
  return useSession((state) => state.status === "signed-in");
}

export function useCatalog(query: CatalogQuery) {
  return useSWR(
    keys.catalog(query),
    () => unwrap(api.GET("/api/v1/courses/list", { params: { query } })),
    { keepPreviousData: true },
  );
}

export function useCourse(courseId: string) {
  // Waits for the session: a signed-in learner sees their enrollment and the items.
  const ready = useSession((state) => state.status !== "unknown");
  return useSWR(ready ? keys.course(courseId) : null, () =>
    unwrap(api.GET("/api/v1/courses/{course_id}", { params: { path: { course_id: courseId } } })),
  );
}

export function useCourseProgress(courseId: string, enrolled: boolean) {
  const signedIn = useSignedIn();
  return useSWR(signedIn && enrolled ? keys.courseProgress(courseId) : null, () =>
    unwrap(
      api.GET("/api/v1/courses/{course_id}/progress", {
        params: { path: { course_id: courseId } },
      }),
    ),
  );
}

export function useMyProgress() {
  return useSWR(useSignedIn() ? keys.myProgress : null, () =>
    unwrap(api.GET("/api/v1/courses/progress", { params: { query: { limit: 50 } } })),
  );
}

export function useAchievementSummary() {
  return useSWR(useSignedIn() ? keys.summary : null, () =>
    unwrap(api.GET("/api/v1/achievements/me/summary")),
  );
}

export function useAchievements() {
  return useSWR(useSignedIn() ? keys.achievements : null, () =>
    unwrap(api.GET("/api/v1/achievements/me")),
  );
}

export function useItem(contentId: string) {
  return useSWR(useSignedIn() ? keys.item(contentId) : null, () =>
    unwrap(api.GET("/api/v1/items/{content_id}", { params: { path: { content_id: contentId } } })),
  );
}

export function useItemProgress(contentId: string) {
  return useSWR(useSignedIn() ? keys.itemProgress(contentId) : null, () =>
    unwrap(
      api.GET("/api/v1/items/{content_id}/progress", {
        params: { path: { content_id: contentId } },
      }),
    ),
  );
}

export function useSettings() {
  return useSWR(useSignedIn() ? keys.settings : null, () =>
    unwrap(api.GET("/api/v1/users/me/settings")),
  );
}

export function useSsoProviders() {
  return useSWR(keys.ssoProviders, () => unwrap(api.GET("/api/v1/auth/sso/providers")));
}

export function useSessions() {
  return useSWR(useSignedIn() ? keys.sessions : null, () =>
    unwrap(api.GET("/api/v1/auth/sessions")),
  );
}

export function useRecommendations(limit = 5) {
  return useSWR(useSignedIn() ? keys.recommendations : null, () =>
    unwrap(api.GET("/api/v1/ai/recommend", { params: { query: { limit } } })),
  );
}

export function useDueReviews() {
  return useSWR(useSignedIn() ? keys.dueReviews : null, () =>
    unwrap(api.GET("/api/v1/ai/reviews/due", { params: { query: { limit: 10 } } })),
  );
}

export function usePaths() {
  return useSWR(useSignedIn() ? keys.paths : null, () =>
    unwrap(api.GET("/api/v1/ai/paths", { params: { query: { limit: 5 } } })),
  );
}

export function useUserProgress(days: number) {
  return useSWR(useSignedIn() ? keys.userProgress(days) : null, () =>
    unwrap(api.GET("/api/v1/analytics/user-progress", { params: { query: { days } } })),
  );
}

export function useCertificates() {
  return useSWR(useSignedIn() ? keys.certificates : null, () =>
    unwrap(api.GET("/api/v1/certificates/me")),
  );
}
