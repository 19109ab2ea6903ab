"use client";

import { useState, type FormEvent } from "react";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { FormMessage, type Message } from "@/components/ui/form-message";
import { EmptyState, ErrorState, Loading } from "@/components/ui/states";
import { api, unwrap, type Schemas } from "@/lib/api/client";

import { DataTable } from "../analytics/data-table";
import { useRoles, useUsers } from "./hooks";

type User = Schemas["UserRead"];

export function Users() {
  const [q, setQ] = useState("");
  const users = useUsers(q);
  const roles = useRoles();
  const [message, setMessage] = useState<Message | null>(null);

  async function act(run: () => Promise<unknown>, done: string) {
    setMessage(null);
    try {
      await run();
      setMessage({ text: done, error: false });
      await users.mutate();
    } catch (caught) {
      setMessage({ text: caught instanceof Error ? caught.message : "The change failed.", error: true });
    }
  }

  function grant(user: User, role: string) {
    void act(
      () => unwrap(api.POST("/api/v1/admin/users/{user_id}/roles", { params: { path: { user_id: user.user_id } }, body: { role } })),
      `${user.display_name} now has the role ${role}.`,
    );
  }

  function revoke(user: User, role: string) {
    void act(
      () => unwrap(api.DELETE("/api/v1/admin/users/{user_id}/roles/{role}", { params: { path: { user_id: user.user_id, role } } })),
      `${user.display_name} no longer has the role ${role}.`,
    );
  }

  function setActive(user: User, active: boolean) {
    const path = active ? "/api/v1/admin/users/{user_id}/reactivate" : "/api/v1/admin/users/{user_id}/deactivate";
    void act(
      () => unwrap(api.POST(path, { params: { path: { user_id: user.user_id } } })),
      `${user.display_name} is ${active ? "active again" : "deactivated"}.`,
    );
  }

  function search(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setQ(String(new FormData(event.currentTarget).get("q") ?? "").trim());
  }

  const roleNames = roles.data?.map((role) => role.name) ?? ["learner", "instructor", "admin"];
  return (
    <Card aria-labelledby="users-heading" className="flex flex-col gap-3">
      <h2 id="users-heading" className="text-xl font-semibold">
        Users
      </h2>
      <form role="search" onSubmit={search} className="flex flex-wrap items-end gap-2">
        <label className="flex flex-col gap-1 text-sm font-medium">
          Search users
          <input
            name="q"
            type="search"
            maxLength={200}
            placeholder="Name or email"
            className="rounded-md border border-slate-400 bg-white px-3 py-2 dark:border-slate-500 dark:bg-slate-900"
          />
        </label>
        <Button type="submit" variant="secondary">
          Search
        </Button>
      </form>
      <FormMessage message={message} />
      {users.error ? (
        <ErrorState error={users.error} retry={() => void users.mutate()} />
      ) : !users.data ? (
        <Loading label="Loading users…" />
      ) : users.data.items.length === 0 ? (
        <EmptyState title="No user matches">Try part of a name or an email.</EmptyState>
      ) : (
        <DataTable
          caption="Users"
          columns={["Name", "Email", "Roles", "Grant a role", "Account"]}
          rows={users.data.items.map((user) => [
            user.display_name,
            user.email,
            <ul key="roles" className="flex flex-wrap gap-1">
              {user.roles.map((role) => (
                <li key={role} className="flex items-center gap-1 rounded-full bg-slate-100 px-2 text-xs dark:bg-slate-800">
                  {role}
                  <button type="button" aria-label={`Remove the role ${role} from ${user.display_name}`} onClick={() => revoke(user, role)}>
                    ×
                  </button>
                </li>
              ))}
            </ul>,
            <select
              key="grant"
              aria-label={`Grant a role to ${user.display_name}`}
              value=""
              onChange={(event) => event.target.value && grant(user, event.target.value)}
              className="rounded-md border border-slate-400 bg-white px-2 py-1 dark:border-slate-500 dark:bg-slate-900"
            >
              <option value="">Grant…</option>
              {roleNames
                .filter((role) => !user.roles.includes(role))
                .map((role) => (
                  <option key={role} value={role}>
                    {role}
                  </option>
                ))}
            </select>,
            <Button key="active" variant="ghost" onClick={() => setActive(user, !user.is_active)}>
              {user.is_active ? `Deactivate ${user.display_name}` : `Reactivate ${user.display_name}`}
            </Button>,
          ])}
        />
      )}
    </Card>
  );
}
