import type { Metadata } from "next";

import { Administration } from "@/components/studio/admin/administration";
import { RequirePermission } from "@/components/studio/guard";

export const metadata: Metadata = { title: "Administration" };

export default function AdminPage() {
  return (
    <RequirePermission permission="user:manage">
      <Administration />
    </RequirePermission>
  );
}
