import createClient, { type Middleware } from "openapi-fetch";

import { ApiError, NetworkError, toProblem } from "./errors";
import type { components, paths } from "./schema";
import { useSession } from "@/stores/session";

export type Schemas = components["schemas"];

/** Calls whose 401 means "wrong credentials", not "refresh and try again". */
const CREDENTIAL_CALLS = new Set(
  ["login", "register", "refresh", "token", "logout"].map((name) => `/api/v1/auth/${name}`),
);
const CSRF_COOKIE = "lw_csrf";

/** Same origin as the page: Next rewrites /api/* to the API, so cookies stay first-party. */
function baseUrl(): string {
  return typeof window === "undefined" ? "http://localhost" : window.location.origin;
}

export const api = createClient<paths>({
  baseUrl: baseUrl(),
  // Looked up on each call (not captured once) so that tests can stub fetch.
  fetch: (request) => globalThis.fetch(request),
});

let refreshing: Promise<string | null> | null = null;

function readCookie(name: string): string | null {
  if (typeof document === "undefined") return null;
  const match = document.cookie.split("; ").find((part) => part.startsWith(`${name}=`));
  return match ? decodeURIComponent(match.slice(name.length + 1)) : null;
}

/**
 * Trades the refresh cookie for a new access token; concurrent callers share one request
 * (a rotated refresh token must not be sent twice). Resolves to null when the session is over.
 */
export function refreshSession(): Promise<string | null> {
  refreshing ??= (async () => {
    const csrf = readCookie(CSRF_COOKIE);
    if (!csrf) {
      useSession.getState().signedOut();
      return null;
    }
    try {
      const { data, response } = await api.POST("/api/v1/auth/refresh", {
        body: {},
        headers: { "X-CSRF-Token": csrf },
      });
      if (!data) {
        // The cookie was there, so a session was: it has been revoked or has run out.
        if (response.status === 401 || response.status === 403) useSession.getState().signedOut(true);
        return null;
      }
      useSession.getState().setTokens(data);
      return data.access_token;
    } catch {
      return null;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

const pending = new Map<string, Request>();

const authentication: Middleware = {
  onRequest({ request, id }) {
    const token = useSession.getState().accessToken;
    if (token && !request.headers.has("Authorization")) {
      request.headers.set("Authorization", `Bearer ${token}`);
    }
    if (!CREDENTIAL_CALLS.has(new URL(request.url).pathname)) {
      pending.set(id, request.clone());
    }
    return request;
  },
  async onResponse({ response, id }) {
    const original = pending.get(id);
    pending.delete(id);
    if (response.status !== 401 || !original) return response;
    // The access token expired (or the tab slept): refresh once and replay the request.
    const token = await refreshSession();
    if (!token) return response;
    original.headers.set("Authorization", `Bearer ${token}`);
    return globalThis.fetch(original);
  },
  onError({ id }) {
    pending.delete(id);
  },
};

api.use(authentication);

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a successful call; an ApiError (problem+json) or NetworkError otherwise. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (cause) {
    throw new NetworkError(cause);
  }
  if (!result.response.ok) throw new ApiError(toProblem(result.error, result.response));
  return result.data as T;
}
