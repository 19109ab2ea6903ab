import { CoursePage } from "@/components/features/course/course-page";

export default async function CourseRoute({ params }: { params: Promise<{ courseId: string }> }) {
  const { courseId } = await params;
  return <CoursePage courseId={courseId} />;
}
