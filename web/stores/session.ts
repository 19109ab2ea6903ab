import { create } from "zustand";

import type { components } from "@/lib/api/schema";

type TokenOut = components["schemas"]["TokenOut"];
type Me = components["schemas"]["MeRead"];

export type SessionStatus = "unknown" | "signed-in" | "signed-out";

interface SessionState {
  status: SessionStatus;
  /** Kept in memory only: a reload gets a new one from the httpOnly refresh cookie. */
  accessToken: string | null;
  /** When the access token expires, in milliseconds since the epoch. */
  expiresAt: number | null;
  user: Me | null;
  /** The session ended without the user signing out (revoked, expired): tell them why. */
  expired: boolean;
  setTokens: (tokens: TokenOut) => void;
  setUser: (user: Me) => void;
  signedOut: (expired?: boolean) => void;
}

export const useSession = create<SessionState>()((set) => ({
  status: "unknown",
  accessToken: null,
  expiresAt: null,
  user: null,
  expired: false,
  setTokens: (tokens) =>
    set({ accessToken: tokens.access_token, expiresAt: Date.now() + tokens.expires_in * 1000 }),
  setUser: (user) => set({ user, status: "signed-in", expired: false }),
  signedOut: (expired = false) =>
    set({ status: "signed-out", accessToken: null, expiresAt: null, user: null, expired }),
}));
