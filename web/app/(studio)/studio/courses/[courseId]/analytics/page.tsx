import type { Metadata } from "next";

import { AnalyticsDashboard } from "@/components/studio/analytics/dashboard";
import { RequirePermission } from "@/components/studio/guard";

export const metadata: Metadata = { title: "Course analytics" };

export default async function AnalyticsPage({ params }: { params: Promise<{ courseId: string }> }) {
  const { courseId } = await params;
  return (
    <RequirePermission permission="analytics:course">
      <AnalyticsDashboard courseId={courseId} />
    </RequirePermission>
  );
}
