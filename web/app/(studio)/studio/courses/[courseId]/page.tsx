import type { Metadata } from "next";

import { CourseEditor } from "@/components/studio/course-editor";
import { RequirePermission } from "@/components/studio/guard";

export const metadata: Metadata = { title: "Course editor" };

export default async function CourseEditorPage({ params }: { params: Promise<{ courseId: string }> }) {
  const { courseId } = await params;
  return (
    <RequirePermission permission="course:create">
      <CourseEditor courseId={courseId} />
    </RequirePermission>
  );
}
