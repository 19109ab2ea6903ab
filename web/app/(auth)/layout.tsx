import Link from "next/link";
import type { ReactNode } from "react";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-md flex-col justify-center px-4 py-8">
      <Link href="/catalog" className="mb-6 text-2xl font-semibold">
        Learnwise
      </Link>
      {children}
    </main>
  );
}
