"use client";

import { useState, type FormEvent } from "react";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { FormMessage, type Message } from "@/components/ui/form-message";
import { ErrorState, Loading } from "@/components/ui/states";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { useSettings } from "@/lib/hooks/data";

function Checkbox({
  label,
  hint,
  checked,
  onChange,
}: {
  label: string;
  hint: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <label className="flex items-start gap-2">
      <input
        type="checkbox"
        className="mt-1 size-4"
        checked={checked}
        onChange={(event) => onChange(event.target.checked)}
      />
      <span>
        <span className="block text-sm font-medium">{label}</span>
        <span className="block text-xs text-slate-600 dark:text-slate-300">{hint}</span>
      </span>
    </label>
  );
}

function PreferencesFields({ settings }: { settings: Schemas["SettingsRead"] }) {
  const { mutate } = useSettings();
  const [notifications, setNotifications] = useState(settings.notifications_enabled);
  const [consent, setConsent] = useState(settings.analytics_consent);
  const [budget, setBudget] = useState(String(settings.learning_preferences.weekly_time_budget_minutes));
  const [timeZone, setTimeZone] = useState(settings.learning_preferences.time_zone);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message | null>(null);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      const saved = await unwrap(
        api.PATCH("/api/v1/users/me/settings", {
          body: {
            notifications_enabled: notifications,
            analytics_consent: consent,
            learning_preferences: {
              weekly_time_budget_minutes: Number(budget),
              time_zone: timeZone,
            },
          },
        }),
      );
      await mutate(saved, { revalidate: false });
      setMessage({ error: false, text: "Saved." });
    } catch (caught) {
      setMessage({ error: true, text: caught instanceof Error ? caught.message : "Not saved." });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={save} className="flex max-w-sm flex-col gap-4">
      <Field
        label="Weekly time for learning (minutes)"
        type="number"
        min={0}
        max={10080}
        required
        value={budget}
        onChange={(event) => setBudget(event.target.value)}
        hint="Learning paths are planned around it."
      />
      <Field
        label="Time zone"
        required
        value={timeZone}
        onChange={(event) => setTimeZone(event.target.value)}
        hint="An IANA name such as Europe/Paris: days and streaks follow it."
      />
      <Checkbox
        label="Notifications"
        hint="Achievements and reminders."
        checked={notifications}
        onChange={setNotifications}
      />
      <Checkbox
        label="Share my activity for analytics"
        hint="Lets your instructors and the platform learn from how the courses are used."
        checked={consent}
        onChange={setConsent}
      />
      <Button type="submit" className="self-start" disabled={busy}>
        {busy ? "Saving…" : "Save preferences"}
      </Button>
      <FormMessage message={message} />
    </form>
  );
}

/** Notifications, analytics consent, weekly time budget and time zone (the theme is in the header). */
export function PreferencesForm() {
  const { data, error, mutate } = useSettings();
  return (
    <Card aria-labelledby="preferences-title">
      <h2 id="preferences-title" className="mb-3 text-lg font-semibold">
        Preferences
      </h2>
      {error ? (
        <ErrorState error={error} retry={() => void mutate()} />
      ) : data ? (
        <PreferencesFields settings={data} />
      ) : (
        <Loading label="Loading your settings…" />
      )}
    </Card>
  );
}
