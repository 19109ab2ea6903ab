import type { Metadata } from "next";

import { AchievementsPage } from "@/components/features/achievements/achievements-page";
import { RequireSession } from "@/components/layout/require-session";

export const metadata: Metadata = { title: "Achievements" };

export default function Page() {
  return (
    <RequireSession>
      <AchievementsPage />
    </RequireSession>
  );
}
