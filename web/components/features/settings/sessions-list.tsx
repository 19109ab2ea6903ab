"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorState, Loading } from "@/components/ui/states";
import { api, unwrap } from "@/lib/api/client";
import { signOutEverywhere } from "@/lib/auth";
import { useSessions } from "@/lib/hooks/data";

const when = (iso: string) => new Date(iso).toLocaleString();

/** The account's signed-in sessions: revoke one, or sign out everywhere. */
export function SessionsList() {
  const { data, error, mutate } = useSessions();
  const router = useRouter();
  const [failed, setFailed] = useState<string | null>(null);
  if (error) return <ErrorState error={error} retry={() => void mutate()} />;
  if (!data) return <Loading label="Loading your sessions…" />;

  async function attempt(action: () => Promise<unknown>) {
    setFailed(null);
    try {
      await action();
    } catch (caught) {
      setFailed(caught instanceof Error ? caught.message : "That did not work.");
    }
  }

  return (
    <Card aria-labelledby="sessions-title">
      <h2 id="sessions-title" className="mb-3 text-lg font-semibold">
        Where you are signed in
      </h2>
      <ul className="flex flex-col gap-3" data-testid="sessions">
        {data.map((session) => (
          <li key={session.session_id} className="flex flex-wrap items-center justify-between gap-2">
            <div>
              <p className="font-medium">
                {session.user_agent || "Unknown device"}
                {session.current ? " (this browser)" : ""}
              </p>
              <p className="text-xs text-slate-600 dark:text-slate-300">
                {session.ip_address} · {session.auth_method} · last used {when(session.last_used_at)}
              </p>
            </div>
            {!session.current && (
              <Button
                variant="secondary"
                aria-label={`Revoke the session last used ${when(session.last_used_at)}`}
                onClick={() =>
                  void attempt(async () => {
                    await unwrap(
                      api.DELETE("/api/v1/auth/sessions/{session_id}", {
                        params: { path: { session_id: session.session_id } },
                      }),
                    );
                    await mutate();
                  })
                }
              >
                Revoke
              </Button>
            )}
          </li>
        ))}
      </ul>
      <Button
        variant="secondary"
        className="mt-4"
        onClick={() =>
          void attempt(async () => {
            await signOutEverywhere();
            router.push("/sign-in");
          })
        }
      >
        Sign out everywhere
      </Button>
      {failed && (
        <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-300">
          {failed}
        </p>
      )}
    </Card>
  );
}
