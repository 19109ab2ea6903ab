import { beforeEach, describe, expect, it } from "vitest";

import { api, unwrap } from "@/lib/api/client";
import { ApiError, NetworkError } from "@/lib/api/errors";
import { useSession } from "@/stores/session";

import { json, mockFetch, problem } from "./fetch-mock";

const ME = {
  user_id: "u1",
  email: "ada@example.com",
  display_name: "Ada",
  is_active: true,
  email_verified_at: null,
  last_login_at: null,
  created_at: "2026-01-01T00:00:00Z",
  roles: ["learner"],
  has_password: true,
  permissions: [],
};

function tokens(access: string) {
  return { access_token: access, expires_in: 900, session_id: "s1", token_type: "bearer" };
}

beforeEach(() => {
  useSession.setState({ status: "signed-in", accessToken: "old", user: ME, expired: false });
  document.cookie = "lw_csrf=csrf-value; path=/";
});

describe("API client", () => {
  it("refreshes an expired token once for concurrent calls and replays them", async () => {
    const calls = mockFetch((call) => {
      if (call.path === "/api/v1/auth/refresh") return json(tokens("new"));
      const auth = call.headers.get("Authorization");
      return auth === "Bearer new" ? json(ME) : problem(401, "token-expired", "expired");
    });

    const [first, second] = await Promise.all([
      unwrap(api.GET("/api/v1/auth/me")),
      unwrap(api.GET("/api/v1/auth/me")),
    ]);

    expect(first.email).toBe("ada@example.com");
    expect(second.email).toBe("ada@example.com");
    const refreshes = calls.filter((call) => call.path === "/api/v1/auth/refresh");
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]?.headers.get("X-CSRF-Token")).toBe("csrf-value");
    expect(useSession.getState().accessToken).toBe("new");
  });

  it("signs out, as expired, when the refresh is refused", async () => {
    mockFetch((call) =>
      call.path === "/api/v1/auth/refresh"
        ? problem(401, "invalid-refresh-token", "The session has ended.")
        : problem(401, "token-expired", "expired"),
    );

    const error = await unwrap(api.GET("/api/v1/auth/me")).catch((caught) => caught);

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect(useSession.getState()).toMatchObject({ status: "signed-out", accessToken: null, expired: true });
  });

  it("does not refresh after a wrong password", async () => {
    const calls = mockFetch(() => problem(401, "invalid-credentials", "Wrong email or password."));

    const error = await unwrap(
      api.POST("/api/v1/auth/login", { body: { email: "a@b.c", password: "nope-nope", refresh_in: "cookie" } }),
    ).catch((caught) => caught);

    expect((error as ApiError).code).toBe("invalid-credentials");
    expect((error as ApiError).message).toBe("Wrong email or password.");
    expect(calls).toHaveLength(1);
  });

  it("turns an unreachable server into a NetworkError", async () => {
    mockFetch(() => {
      throw new TypeError("Failed to fetch");
    });
    await expect(unwrap(api.GET("/api/v1/auth/me"))).rejects.toBeInstanceOf(NetworkError);
  });
});
