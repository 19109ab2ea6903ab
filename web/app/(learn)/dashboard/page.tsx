import type { Metadata } from "next";

import { Dashboard } from "@/components/features/dashboard/dashboard";
import { RequireSession } from "@/components/layout/require-session";

export const metadata: Metadata = { title: "Dashboard" };

export default function DashboardPage() {
  return (
    <RequireSession>
      <Dashboard />
    </RequireSession>
  );
}
