import type { Metadata } from "next";

import { PasswordForm } from "@/components/features/settings/password-form";
import { PreferencesForm } from "@/components/features/settings/preferences-form";
import { ProfileForm } from "@/components/features/settings/profile-form";
import { SessionsList } from "@/components/features/settings/sessions-list";
import { RequireSession } from "@/components/layout/require-session";

export const metadata: Metadata = { title: "Settings" };

export default function SettingsPage() {
  return (
    <RequireSession>
      <div className="flex flex-col gap-6">
        <h1 className="text-2xl font-semibold">Settings</h1>
        <ProfileForm />
        <PreferencesForm />
        <PasswordForm />
        <SessionsList />
      </div>
    </RequireSession>
  );
}
