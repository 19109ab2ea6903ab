import type { Metadata } from "next";

import { MyAnalytics } from "@/components/features/analytics/my-analytics";
import { RequireSession } from "@/components/layout/require-session";

export const metadata: Metadata = { title: "My analytics" };

export default function AnalyticsPage() {
  return (
    <RequireSession>
      <MyAnalytics />
    </RequireSession>
  );
}
