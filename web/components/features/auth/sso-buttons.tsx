"use client";

import { buttonClass } from "@/components/ui/button";
import { useSsoProviders } from "@/lib/hooks/data";

/** One button per single-sign-on provider the API has configured (none: nothing shown). */
export function SsoButtons({ next }: { next: string }) {
  const { data: providers } = useSsoProviders();
  if (!providers || providers.length === 0) return null;
  return (
    <div className="mt-4 flex flex-col gap-2 border-t border-slate-200 pt-4 dark:border-slate-700">
      {providers.map((provider) => (
        <a
          key={provider.name}
          href={`${provider.login_url}?redirect=${encodeURIComponent(next)}`}
          className={buttonClass("secondary")}
        >
          Continue with {provider.display_name}
        </a>
      ))}
    </div>
  );
}
