import type { Metadata } from "next";

import { RequirePermission } from "@/components/studio/guard";
import { Reports } from "@/components/studio/reports";

export const metadata: Metadata = { title: "Reports" };

export default function ReportsPage() {
  return (
    <RequirePermission permission="report:create">
      <Reports />
    </RequirePermission>
  );
}
