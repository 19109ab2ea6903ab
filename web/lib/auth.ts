import { mutate } from "swr";

import { api, refreshSession, unwrap } from "@/lib/api/client";
import { useProgress } from "@/stores/progress";
import { useSession } from "@/stores/session";

/** Refresh this long before the access token expires, so requests rarely meet a 401. */
const REFRESH_MARGIN_MS = 60_000;

let refreshTimer: ReturnType<typeof setTimeout> | undefined;

function scheduleRefresh(): void {
  clearTimeout(refreshTimer);
  const { expiresAt } = useSession.getState();
  if (!expiresAt) return;
  const delay = Math.max(expiresAt - Date.now() - REFRESH_MARGIN_MS, 5_000);
  refreshTimer = setTimeout(async () => {
    if (await refreshSession()) scheduleRefresh();
  }, delay);
}

async function loadUser(): Promise<void> {
  const user = await unwrap(api.GET("/api/v1/auth/me"));
  useSession.getState().setUser(user);
  scheduleRefresh();
}

export async function signIn(email: string, password: string): Promise<void> {
  const tokens = await unwrap(
    api.POST("/api/v1/auth/login", { body: { email, password, refresh_in: "cookie" } }),
  );
  useSession.getState().setTokens(tokens);
  await loadUser();
}

export async function signUp(displayName: string, email: string, password: string): Promise<void> {
  const tokens = await unwrap(
    api.POST("/api/v1/auth/register", {
      body: { display_name: displayName, email, password, refresh_in: "cookie" },
    }),
  );
  useSession.getState().setTokens(tokens);
  await loadUser();
}

/** On page load: the refresh cookie (if any) brings the session back. */
export async function restoreSession(): Promise<void> {
  if (!(await refreshSession())) {
    // refreshSession has said why when the server answered; unreachable, treat as signed out.
    if (useSession.getState().status === "unknown") useSession.getState().signedOut();
    return;
  }
  try {
    await loadUser();
  } catch {
    useSession.getState().signedOut();
  }
}

export async function signOut(): Promise<void> {
  clearTimeout(refreshTimer);
  await useProgress.getState().flush();
  useProgress.getState().reset();
  const csrf = document.cookie
    .split("; ")
    .find((part) => part.startsWith("lw_csrf="))
    ?.slice("lw_csrf=".length);
  // Ends the session on the server (which clears the cookies); signed out here whatever happens.
  await api
    .POST("/api/v1/auth/logout", {
      body: {},
      headers: csrf ? { "X-CSRF-Token": decodeURIComponent(csrf) } : {},
    })
    .catch(() => undefined);
  await forgetSession();
}

/** Ends every session of the user, this one included; throws (still signed in) when refused. */
export async function signOutEverywhere(): Promise<void> {
  await useProgress.getState().flush();
  await unwrap(api.POST("/api/v1/auth/logout-all"));
  clearTimeout(refreshTimer);
  useProgress.getState().reset();
  await forgetSession();
}

async function forgetSession(): Promise<void> {
  useSession.getState().signedOut();
  await mutate(() => true, undefined, { revalidate: false });
}
