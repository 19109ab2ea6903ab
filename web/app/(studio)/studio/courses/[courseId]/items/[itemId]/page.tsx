import type { Metadata } from "next";

import { RequirePermission } from "@/components/studio/guard";
import { ItemEditor } from "@/components/studio/item-editor";

export const metadata: Metadata = { title: "Item editor" };

export default async function ItemEditorPage({
  params,
}: {
  params: Promise<{ courseId: string; itemId: string }>;
}) {
  const { courseId, itemId } = await params;
  return (
    <RequirePermission permission="course:create">
      <ItemEditor courseId={courseId} contentId={itemId} />
    </RequirePermission>
  );
}
