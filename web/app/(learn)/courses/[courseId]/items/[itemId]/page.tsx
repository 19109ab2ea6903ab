import { ItemPlayer } from "@/components/features/player/item-player";
import { RequireSession } from "@/components/layout/require-session";

export default async function PlayerRoute({
  params,
}: {
  params: Promise<{ courseId: string; itemId: string }>;
}) {
  const { courseId, itemId } = await params;
  return (
    <RequireSession>
      <ItemPlayer courseId={courseId} contentId={itemId} />
    </RequireSession>
  );
}
