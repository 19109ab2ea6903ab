"use client";

import useSWR from "swr";

import { api, unwrap } from "@/lib/api/client";
import { useSession } from "@/stores/session";

import { studioKeys } from "../data";

function useCan(permission: string): boolean {
  return useSession((state) => state.user?.permissions.includes(permission) ?? false);
}

export function useUsers(q: string) {
  return useSWR(useCan("user:read") ? studioKeys.users(q) : null, () =>
    unwrap(api.GET("/api/v1/admin/users", { params: { query: { q: q || undefined, limit: 50, offset: 0 } } })),
  );
}

export function useRoles() {
  return useSWR(useCan("role:manage") ? studioKeys.roles : null, () => unwrap(api.GET("/api/v1/admin/roles")));
}

export function usePermissions() {
  return useSWR(useCan("role:manage") ? studioKeys.permissions : null, () => unwrap(api.GET("/api/v1/admin/permissions")));
}

export function usePlatform() {
  return useSWR(useCan("analytics:platform") ? studioKeys.platform : null, () =>
    unwrap(api.GET("/api/v1/analytics/platform", { params: { query: { days: 30 } } })),
  );
}
