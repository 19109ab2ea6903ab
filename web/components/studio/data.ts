"use client";

import useSWR from "swr";

import { api, unwrap } from "@/lib/api/client";
import { useSession } from "@/stores/session";

/** SWR keys of the studio's data, in one place so that changes and live events revalidate them. */
export const studioKeys = {
  taught: ["studio", "taught"] as const,
  course: (courseId: string) => ["studio", "course", courseId] as const,
  item: (contentId: string) => ["studio", "item", contentId] as const,
  versions: (contentId: string) => ["studio", "versions", contentId] as const,
  metrics: (courseId: string, days: number) => ["studio", "metrics", courseId, days] as const,
  learners: (courseId: string) => ["studio", "learners", courseId] as const,
  learner: (courseId: string, userId: string) => ["studio", "learner", courseId, userId] as const,
  analysis: (userId: string) => ["studio", "analysis", userId] as const,
  reports: ["studio", "reports"] as const,
  users: (q: string) => ["admin", "users", q] as const,
  roles: ["admin", "roles"] as const,
  permissions: ["admin", "permissions"] as const,
  platform: ["admin", "platform"] as const,
  skillGraph: ["studio", "skill-graph"] as const,
};

/** Whether an SWR key holds one course's analytics or learner figures (live events refresh them). */
export function isCourseActivityKey(courseId: string) {
  return (key: unknown) =>
    Array.isArray(key) &&
    key[0] === "studio" &&
    ["metrics", "learners", "learner"].includes(key[1]) &&
    key[2] === courseId;
}

function useReady(): boolean {
  return useSession((state) => state.status === "signed-in");
}

export function useTaughtCourses() {
  return useSWR(useReady() ? studioKeys.taught : null, () =>
    unwrap(api.GET("/api/v1/courses/list", { params: { query: { mine: true, limit: 100, offset: 0 } } })),
  );
}

export function useStudioCourse(courseId: string) {
  return useSWR(useReady() ? studioKeys.course(courseId) : null, () =>
    unwrap(
      api.GET("/api/v1/courses/{course_id}", {
        params: { path: { course_id: courseId } },
        // The editor must see the latest revision, never a cached page.
        cache: "no-store",
      }),
    ),
  );
}

export function useDraftItem(contentId: string) {
  return useSWR(useReady() ? studioKeys.item(contentId) : null, () =>
    unwrap(
      api.GET("/api/v1/items/{content_id}", {
        params: { path: { content_id: contentId }, query: { view: "draft" } },
        cache: "no-store",
      }),
    ),
  );
}

export function useVersions(contentId: string) {
  return useSWR(useReady() ? studioKeys.versions(contentId) : null, () =>
    unwrap(
      api.GET("/api/v1/items/{content_id}/versions", {
        params: { path: { content_id: contentId }, query: { limit: 100, offset: 0 } },
      }),
    ),
  );
}

export function useCourseMetrics(courseId: string, days: number) {
  return useSWR(useReady() ? studioKeys.metrics(courseId, days) : null, () =>
    unwrap(api.GET("/api/v1/analytics/course-metrics", { params: { query: { course_id: courseId, days } } })),
  );
}

export function useLearnersProgress(courseId: string) {
  return useSWR(useReady() ? studioKeys.learners(courseId) : null, () =>
    unwrap(
      api.GET("/api/v1/courses/{course_id}/progress/learners", {
        params: { path: { course_id: courseId }, query: { limit: 100, offset: 0 } },
      }),
    ),
  );
}

export function useLearnerProgress(courseId: string, userId: string) {
  return useSWR(useReady() ? studioKeys.learner(courseId, userId) : null, () =>
    unwrap(
      api.GET("/api/v1/courses/{course_id}/progress/learners/{user_id}", {
        params: { path: { course_id: courseId, user_id: userId } },
      }),
    ),
  );
}

export function useLearnerAnalysis(courseId: string, userId: string) {
  return useSWR(useReady() ? studioKeys.analysis(userId) : null, () =>
    unwrap(
      api.GET("/api/v1/ai/analyze/learners/{user_id}", {
        params: { path: { user_id: userId }, query: { course_id: courseId } },
      }),
    ),
  );
}

export function useReports() {
  return useSWR(
    useReady() ? studioKeys.reports : null,
    () => unwrap(api.GET("/api/v1/analytics/reports", { params: { query: { limit: 50, offset: 0 } } })),
    {
      // A report being made is followed until it is ready or has failed.
      refreshInterval: (reports) => (reports?.items.some((report) => report.status === "pending") ? 1000 : 0),
    },
  );
}
