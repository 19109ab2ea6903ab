"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";

import { ThemeToggle } from "@/components/layout/theme-toggle";
import { Button, buttonClass } from "@/components/ui/button";
import { signOut } from "@/lib/auth";
import { useSession } from "@/stores/session";

const links = [
  { href: "/dashboard", label: "Dashboard" },
  { href: "/catalog", label: "Catalog" },
  { href: "/achievements", label: "Achievements" },
  { href: "/analytics", label: "Analytics" },
  { href: "/settings", label: "Settings" },
  { href: "/studio", label: "Studio", permission: "course:create" },
  { href: "/admin", label: "Admin", permission: "user:manage" },
];

export function AppHeader() {
  const pathname = usePathname();
  const router = useRouter();
  const { status, user } = useSession();

  return (
    <header className="border-b border-slate-200 dark:border-slate-800">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:rounded focus:bg-white focus:p-2 dark:focus:bg-slate-900"
      >
        Skip to content
      </a>
      <div className="mx-auto flex max-w-5xl flex-wrap items-center gap-4 px-4 py-3">
        <Link href="/dashboard" className="text-lg font-semibold">
          Learnwise
        </Link>
        <nav aria-label="Main" className="flex flex-wrap gap-1">
          {links
            .filter((link) => !link.permission || user?.permissions.includes(link.permission))
            .map((link) => (
            <Link
              key={link.href}
              href={link.href}
              aria-current={pathname.startsWith(link.href) ? "page" : undefined}
              className="rounded-md px-3 py-2 text-sm hover:bg-slate-100 aria-[current=page]:font-semibold aria-[current=page]:underline dark:hover:bg-slate-800"
            >
              {link.label}
            </Link>
          ))}
        </nav>
        <div className="ml-auto flex items-center gap-2">
          <ThemeToggle />
          {status === "signed-in" && user ? (
            <>
              <span className="hidden text-sm sm:inline">{user.display_name}</span>
              <Button
                variant="secondary"
                onClick={async () => {
                  await signOut();
                  router.push("/sign-in");
                }}
              >
                Sign out
              </Button>
            </>
          ) : status === "signed-out" ? (
            <Link href="/sign-in" className={buttonClass("secondary")}>
              Sign in
            </Link>
          ) : null}
        </div>
      </div>
    </header>
  );
}
