"use client";

import { usePathname, useRouter } from "next/navigation";
import { useEffect, type ReactNode } from "react";

import { Loading } from "@/components/ui/states";
import { useSession } from "@/stores/session";

/** Shows its children to signed-in users; sends others to sign in, and back here after. */
export function RequireSession({ children }: { children: ReactNode }) {
  const status = useSession((state) => state.status);
  const expired = useSession((state) => state.expired);
  const router = useRouter();
  const pathname = usePathname();

  useEffect(() => {
    if (status !== "signed-out") return;
    const next = `next=${encodeURIComponent(pathname)}`;
    router.replace(`/sign-in?${next}${expired ? "&expired=1" : ""}`);
  }, [status, expired, router, pathname]);

  if (status !== "signed-in") return <Loading label="Checking your session…" />;
  return <>{children}</>;
}
