"use client";

import { useState, type FormEvent } from "react";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { FormMessage, type Message } from "@/components/ui/form-message";
import { api, unwrap } from "@/lib/api/client";
import { useSession } from "@/stores/session";

/** The display name others see (instructors in their courses, learners in the catalog). */
export function ProfileForm() {
  const user = useSession((state) => state.user);
  const setUser = useSession((state) => state.setUser);
  const [name, setName] = useState(user?.display_name ?? "");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      const saved = await unwrap(api.PATCH("/api/v1/auth/me", { body: { display_name: name } }));
      setUser(saved);
      setName(saved.display_name);
      setMessage({ error: false, text: "Saved." });
    } catch (caught) {
      setMessage({ error: true, text: caught instanceof Error ? caught.message : "Not saved." });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card aria-labelledby="profile-title">
      <h2 id="profile-title" className="mb-3 text-lg font-semibold">
        Profile
      </h2>
      <form onSubmit={submit} className="flex max-w-sm flex-col gap-3">
        <p className="text-sm text-slate-600 dark:text-slate-300">Signed in as {user?.email}</p>
        <Field
          label="Display name"
          autoComplete="name"
          required
          maxLength={120}
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
        <Button type="submit" className="self-start" disabled={busy}>
          {busy ? "Saving…" : "Save name"}
        </Button>
        <FormMessage message={message} />
      </form>
    </Card>
  );
}
