import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { LiveConnection, type LiveEvent } from "@/lib/live";

class FakeSocket {
  static instances: FakeSocket[] = [];
  static OPEN = 1;
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen?: () => void;
  onmessage?: (message: { data: string }) => void;
  onclose?: () => void;

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = 3;
    this.onclose?.();
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(frame: Record<string, unknown>) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}

const EVENT: LiveEvent = {
  event_id: "e1",
  type: "achievement.awarded",
  occurred_at: "2026-01-01T00:00:00Z",
  user_id: "u1",
  course_id: null,
  payload: { title: "First steps" },
};

beforeEach(() => {
  FakeSocket.instances = [];
  vi.stubGlobal("WebSocket", FakeSocket);
  vi.useFakeTimers();
});

afterEach(() => vi.useRealTimers());

describe("live connection", () => {
  it("authenticates first, subscribes to the user's channel and delivers its events", () => {
    const events: (LiveEvent | null)[] = [];
    const live = new LiveConnection({ url: "ws://x/api/v1/ws", token: () => "t1", onEvent: (e) => events.push(e) });
    live.start();
    const socket = FakeSocket.instances[0]!;
    socket.open();
    expect(socket.sent[0]).toEqual({ type: "auth", token: "t1" });

    socket.receive({ type: "authenticated", user_id: "u1" });
    expect(socket.sent[1]).toEqual({ type: "subscribe", channel: "user:u1" });
    socket.receive({ type: "subscribed", channel: "user:u1", seq: 4 });
    socket.receive({ type: "message", channel: "user:u1", seq: 5, data: EVENT });
    socket.receive({ type: "ping" });

    expect(events).toEqual([EVENT]);
    expect(socket.sent.at(-1)).toEqual({ type: "pong" });
    live.stop();
  });

  it("reconnects after a drop and asks for what it missed", () => {
    const events: (LiveEvent | null)[] = [];
    const fresh = vi.fn();
    const live = new LiveConnection({
      url: "ws://x",
      token: () => "t1",
      onEvent: (e) => events.push(e),
      onFreshSubscription: fresh,
      minDelay: 100,
      maxDelay: 1000,
    });
    live.start();
    const first = FakeSocket.instances[0]!;
    first.open();
    first.receive({ type: "authenticated", user_id: "u1" });
    first.receive({ type: "subscribed", channel: "user:u1", seq: 7 });
    first.close();

    vi.advanceTimersByTime(1000);
    const second = FakeSocket.instances[1]!;
    second.open();
    second.receive({ type: "authenticated", user_id: "u1" });
    expect(second.sent[1]).toEqual({ type: "subscribe", channel: "user:u1", since: 7 });
    second.receive({ type: "subscribed", channel: "user:u1", seq: 9 });
    expect(fresh).toHaveBeenCalledTimes(1); // the first subscription only: the second replays

    second.receive({ type: "resync", channel: "user:u1", seq: 20 });
    expect(events).toEqual([null]);
    live.stop();
  });

  it("sends a fresh token on the open connection without subscribing again", () => {
    let token = "t1";
    const live = new LiveConnection({ url: "ws://x", token: () => token, onEvent: () => undefined });
    live.start();
    const socket = FakeSocket.instances[0]!;
    socket.open();
    socket.receive({ type: "authenticated", user_id: "u1" });
    token = "t2";
    live.reauthenticate();
    socket.receive({ type: "authenticated", user_id: "u1" });

    expect(socket.sent).toEqual([
      { type: "auth", token: "t1" },
      { type: "subscribe", channel: "user:u1" },
      { type: "auth", token: "t2" },
    ]);
    live.stop();
  });

  it("stops reconnecting once stopped", () => {
    const live = new LiveConnection({ url: "ws://x", token: () => "t1", onEvent: () => undefined });
    live.start();
    live.stop();
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });
});
