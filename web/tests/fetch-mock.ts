import { vi } from "vitest";

export interface Call {
  method: string;
  path: string;
  headers: Headers;
  body: unknown;
}

type Handler = (call: Call) => Response | Promise<Response>;

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": status >= 400 ? "application/problem+json" : "application/json" },
  });
}

export function problem(status: number, code: string, detail: string): Response {
  return json({ type: "about:blank", status, code, title: code, detail }, status);
}

/** Replaces fetch with `handler`; returns the calls it saw, in order. */
export function mockFetch(handler: Handler): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal("fetch", async (input: Request) => {
    const text = await input.clone().text();
    const call = {
      method: input.method,
      path: new URL(input.url).pathname,
      headers: input.headers,
      body: text ? JSON.parse(text) : undefined,
    };
    calls.push(call);
    return handler(call);
  });
  return calls;
}
