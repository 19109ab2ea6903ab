import type { ReactNode } from "react";

import { AppHeader } from "@/components/layout/app-header";

export default function StudioLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <AppHeader />
      <main id="main" className="mx-auto max-w-6xl px-4 py-6">
        {children}
      </main>
    </>
  );
}
