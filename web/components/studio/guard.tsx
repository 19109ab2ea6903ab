"use client";

import Link from "next/link";
import type { ReactNode } from "react";

import { RequireSession } from "@/components/layout/require-session";
import { buttonClass } from "@/components/ui/button";
import { useSession } from "@/stores/session";

/** Signed-in users with `permission` see the children; others are told why they cannot. */
export function RequirePermission({ permission, children }: { permission: string; children: ReactNode }) {
  return (
    <RequireSession>
      <PermissionCheck permission={permission}>{children}</PermissionCheck>
    </RequireSession>
  );
}

function PermissionCheck({ permission, children }: { permission: string; children: ReactNode }) {
  const allowed = useSession((state) => state.user?.permissions.includes(permission) ?? false);
  if (allowed) return <>{children}</>;
  return (
    <div role="alert" className="flex flex-col items-start gap-3 rounded-md border border-amber-400 bg-amber-50 p-6 text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-50">
      <h1 className="text-xl font-semibold">You do not have access to this page</h1>
      <p>
        It is for {permission.startsWith("course") || permission.startsWith("analytics") ? "instructors" : "administrators"}.
        Ask an administrator if you need it.
      </p>
      <Link href="/dashboard" className={buttonClass("secondary")}>
        Back to my dashboard
      </Link>
    </div>
  );
}
