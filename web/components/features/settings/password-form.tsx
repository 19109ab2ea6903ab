"use client";

import { useState, type FormEvent } from "react";
import { mutate } from "swr";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { FormMessage, type Message } from "@/components/ui/form-message";
import { api, unwrap } from "@/lib/api/client";
import { keys } from "@/lib/hooks/data";

/** Changes the password; the API signs out every other session. */
export function PasswordForm() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      await unwrap(
        api.POST("/api/v1/auth/password", { body: { current_password: current, new_password: next } }),
      );
      setCurrent("");
      setNext("");
      setMessage({ error: false, text: "Password changed. Your other sessions were signed out." });
      await mutate(keys.sessions);
    } catch (caught) {
      setMessage({ error: true, text: caught instanceof Error ? caught.message : "The password was not changed." });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card aria-labelledby="password-title">
      <h2 id="password-title" className="mb-3 text-lg font-semibold">
        Change password
      </h2>
      <form onSubmit={submit} className="flex max-w-sm flex-col gap-3">
        <Field
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onChange={(event) => setCurrent(event.target.value)}
        />
        <Field
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          hint="At least 8 characters; common passwords are refused."
          value={next}
          onChange={(event) => setNext(event.target.value)}
        />
        <Button type="submit" className="self-start" disabled={busy}>
          {busy ? "Changing…" : "Change password"}
        </Button>
        <FormMessage message={message} />
      </form>
    </Card>
  );
}
