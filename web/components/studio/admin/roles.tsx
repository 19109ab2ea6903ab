"use client";

import { useState, type FormEvent } from "react";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { FormMessage, type Message } from "@/components/ui/form-message";
import { ErrorState, Loading } from "@/components/ui/states";
import { api, unwrap, type Schemas } from "@/lib/api/client";

import { usePermissions, useRoles } from "./hooks";

type Permission = Schemas["Permission"];

/** Custom roles and their permissions (the built-in ones are shown, not changed). */
export function Roles() {
  const roles = useRoles();
  const permissions = usePermissions();
  const [message, setMessage] = useState<Message | null>(null);

  async function act(run: () => Promise<unknown>, done: string) {
    setMessage(null);
    try {
      await run();
      setMessage({ text: done, error: false });
      await roles.mutate();
    } catch (caught) {
      setMessage({ text: caught instanceof Error ? caught.message : "The change failed.", error: true });
    }
  }

  function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const name = String(data.get("name") ?? "").trim();
    void act(async () => {
      await unwrap(
        api.POST("/api/v1/admin/roles", {
          body: { name, description: String(data.get("description") ?? ""), permissions: data.getAll("permission") as Permission[] },
        }),
      );
      form.reset();
    }, `The role ${name} was created.`);
  }

  function toggle(role: Schemas["RoleRead"], permission: string, on: boolean) {
    const next = on ? [...role.permissions, permission] : role.permissions.filter((p) => p !== permission);
    void act(
      () => unwrap(api.PATCH("/api/v1/admin/roles/{name}", { params: { path: { name: role.name } }, body: { permissions: next as Permission[] } })),
      `The role ${role.name} was updated.`,
    );
  }

  if (roles.error || permissions.error) {
    return <ErrorState error={(roles.error ?? permissions.error) as Error} retry={() => void roles.mutate()} />;
  }
  if (!roles.data || !permissions.data) return <Loading label="Loading roles…" />;
  const all = permissions.data;
  return (
    <Card aria-labelledby="roles-heading" className="flex flex-col gap-4">
      <h2 id="roles-heading" className="text-xl font-semibold">
        Roles and permissions
      </h2>
      <FormMessage message={message} />
      <div className="overflow-x-auto" tabIndex={0} role="region" aria-label="Each role's permissions">
        <table className="text-sm">
          <caption className="sr-only">Each role&apos;s permissions</caption>
          <thead>
            <tr>
              <th scope="col" className="pr-3 text-left">
                Role
              </th>
              {all.map((permission) => (
                <th key={permission} scope="col" className="px-1 text-xs font-medium">
                  {permission}
                </th>
              ))}
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {roles.data.map((role) => (
              <tr key={role.name} className="border-t border-slate-200 dark:border-slate-700">
                <th scope="row" className="pr-3 text-left">
                  {role.name}
                  {role.builtin && <span className="block text-xs font-normal">built in</span>}
                </th>
                {all.map((permission) => (
                  <td key={permission} className="text-center">
                    <input
                      type="checkbox"
                      aria-label={`${role.name}: ${permission}`}
                      checked={role.permissions.includes(permission)}
                      disabled={role.builtin}
                      onChange={(event) => toggle(role, permission, event.target.checked)}
                    />
                  </td>
                ))}
                <td>
                  {!role.builtin && (
                    <Button
                      variant="ghost"
                      onClick={() =>
                        void act(
                          () => unwrap(api.DELETE("/api/v1/admin/roles/{name}", { params: { path: { name: role.name } } })),
                          `The role ${role.name} was deleted.`,
                        )
                      }
                    >
                      Delete {role.name}
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form onSubmit={create} className="flex flex-col gap-3">
        <h3 className="font-semibold">New role</h3>
        <div className="grid gap-3 sm:grid-cols-2">
          <Field label="Role name" name="name" required maxLength={50} pattern="[a-z][a-z0-9_-]*" hint="Lower-case letters, digits, - and _." />
          <Field label="Description" name="description" maxLength={200} />
        </div>
        <fieldset className="flex flex-wrap gap-3">
          <legend className="mb-1 text-sm font-medium">Permissions</legend>
          {all.map((permission) => (
            <label key={permission} className="flex items-center gap-1 text-sm">
              <input type="checkbox" name="permission" value={permission} />
              {permission}
            </label>
          ))}
        </fieldset>
        <div>
          <Button type="submit" variant="secondary">
            Create role
          </Button>
        </div>
      </form>
    </Card>
  );
}
