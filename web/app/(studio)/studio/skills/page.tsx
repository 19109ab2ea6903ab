import type { Metadata } from "next";

import { RequirePermission } from "@/components/studio/guard";
import { SkillGraph } from "@/components/studio/skill-graph";

export const metadata: Metadata = { title: "Skills" };

export default function SkillsPage() {
  return (
    <RequirePermission permission="course:create">
      <SkillGraph />
    </RequirePermission>
  );
}
