"use client";

import { useId } from "react";
import { mutate } from "swr";

import { api } from "@/lib/api/client";
import { keys } from "@/lib/hooks/data";
import { usePreferences, type Theme } from "@/stores/preferences";
import { useSession } from "@/stores/session";

/** Chooses the theme here and, when signed in, saves it in the account's settings. */
export function ThemeToggle() {
  const id = useId();
  const theme = usePreferences((state) => state.theme);
  const setTheme = usePreferences((state) => state.setTheme);
  const signedIn = useSession((state) => state.status === "signed-in");

  async function choose(next: Theme) {
    setTheme(next);
    if (!signedIn) return;
    const { data } = await api.PATCH("/api/v1/users/me/settings", { body: { theme: next } });
    if (data) await mutate(keys.settings, data, { revalidate: false });
  }

  return (
    <div className="flex items-center gap-1 text-sm">
      <label htmlFor={id} className="sr-only">
        Theme
      </label>
      <select
        id={id}
        value={theme}
        onChange={(event) => void choose(event.target.value as Theme)}
        className="rounded-md border border-slate-300 bg-white px-2 py-1.5 dark:border-slate-600 dark:bg-slate-900"
      >
        <option value="system">System theme</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </div>
  );
}
