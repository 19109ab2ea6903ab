"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { ApiError } from "@/lib/api/errors";
import { signUp } from "@/lib/auth";

type FieldName = "display_name" | "email" | "password";

/** Field-level messages from a 422 problem (its `errors[].loc` ends with the field name). */
function fieldErrors(error: ApiError): Partial<Record<FieldName, string>> {
  const found: Partial<Record<FieldName, string>> = {};
  for (const item of error.problem.errors ?? []) {
    const field = item.loc.at(-1);
    if (field === "display_name" || field === "email" || field === "password") {
      found[field] = item.msg;
    }
  }
  return found;
}

export function SignUpForm({ next }: { next: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Partial<Record<FieldName, string>>>({});
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    setFields({});
    try {
      await signUp(
        String(form.get("display_name")),
        String(form.get("email")),
        String(form.get("password")),
      );
      router.push(next);
    } catch (caught) {
      if (caught instanceof ApiError) setFields(fieldErrors(caught));
      setError(caught instanceof Error ? caught.message : "Sign-up failed.");
      setBusy(false);
    }
  }

  return (
    <Card>
      <h1 className="mb-4 text-xl font-semibold">Create an account</h1>
      <form onSubmit={submit} className="flex flex-col gap-4">
        <Field
          label="Name"
          name="display_name"
          autoComplete="name"
          required
          error={fields.display_name}
        />
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          required
          error={fields.email}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          minLength={8}
          required
          hint="At least 8 characters; common passwords are refused."
          error={fields.password}
        />
        {error && (
          <p role="alert" className="text-sm text-red-700 dark:text-red-300">
            {error}
          </p>
        )}
        <Button type="submit" disabled={busy}>
          {busy ? "Creating your account…" : "Create account"}
        </Button>
      </form>
      <p className="mt-4 text-sm">
        Already have an account?{" "}
        <Link
          href={`/sign-in?next=${encodeURIComponent(next)}`}
          className="text-blue-700 underline dark:text-sky-300"
        >
          Sign in
        </Link>
      </p>
    </Card>
  );
}
