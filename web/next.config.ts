import type { NextConfig } from "next";

// The browser talks to the API through this app's own origin (HTTP and the WebSocket), so the
// refresh cookie is first-party and no CORS is needed. Rewrites are fixed by `next build`: the
// API's address is the one LEARNWISE_API_URL had then.
const apiUrl = process.env.LEARNWISE_API_URL ?? "http://127.0.0.1:8000";

const nextConfig: NextConfig = {
  // The end-to-end tests build beside `make run`'s build, for an API on another port.
  distDir: process.env.LEARNWISE_WEB_DIST_DIR ?? ".next",
  poweredByHeader: false,
  // `make test` type-checks (tsc --noEmit) and lints; the build need not do it again.
  typescript: { ignoreBuildErrors: true },
  reactStrictMode: true,
  async rewrites() {
    return [{ source: "/api/:path*", destination: `${apiUrl}/api/:path*` }];
  },
};

export default nextConfig;
