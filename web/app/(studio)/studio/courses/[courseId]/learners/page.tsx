import type { Metadata } from "next";
import { Suspense } from "react";

import { RequirePermission } from "@/components/studio/guard";
import { Learners } from "@/components/studio/learners";

export const metadata: Metadata = { title: "My learners" };

export default async function LearnersPage({ params }: { params: Promise<{ courseId: string }> }) {
  const { courseId } = await params;
  return (
    <RequirePermission permission="learners:read">
      <Suspense>
        <Learners courseId={courseId} />
      </Suspense>
    </RequirePermission>
  );
}
