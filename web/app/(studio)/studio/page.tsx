import type { Metadata } from "next";

import { RequirePermission } from "@/components/studio/guard";
import { StudioHome } from "@/components/studio/studio-home";

export const metadata: Metadata = { title: "Studio" };

export default function StudioPage() {
  return (
    <RequirePermission permission="course:create">
      <StudioHome />
    </RequirePermission>
  );
}
