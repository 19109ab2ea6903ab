/**
 * One WebSocket per tab to /api/v1/ws (see backend/src/learnwise/realtime/schemas.py for the
 * protocol): authenticates with the access token in the first message, subscribes to the user's
 * channel, reconnects with backoff and asks for what it missed (`since`), re-authenticates when
 * the token is refreshed.
 */

export interface LiveEvent {
  event_id: string;
  type: string;
  occurred_at: string;
  user_id: string | null;
  course_id: string | null;
  payload: Record<string, unknown>;
}

type ServerFrame =
  | { type: "authenticated"; user_id: string }
  | { type: "subscribed"; channel: string; seq: number }
  | { type: "message"; channel: string; seq: number; data: LiveEvent }
  | { type: "resync"; channel: string; seq: number }
  | { type: "ping" | "pong" | "unsubscribed" }
  | { type: "error"; code: string; detail: string };

export type LiveStatus = "connecting" | "open" | "closed";

export interface LiveOptions {
  url: string;
  token: () => string | null;
  /** A live event; `resync` (null event) when messages were lost: reload everything. */
  onEvent: (event: LiveEvent | null) => void;
  onStatus?: (status: LiveStatus) => void;
  /** Subscribed afresh (not a replay): what happened before may have been missed, reload it. */
  onFreshSubscription?: () => void;
  /** The channels to follow, given the signed-in user's id (default: their own `user:` channel). */
  channels?: (userId: string) => string[];
  /** Backoff bounds, in milliseconds. */
  minDelay?: number;
  maxDelay?: number;
}

export class LiveConnection {
  private socket: WebSocket | null = null;
  private readonly lastSeq = new Map<string, number>();
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private subscribedOn: WebSocket | null = null;

  constructor(private readonly options: LiveOptions) {}

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.close(1000, "signed out");
    this.socket = null;
  }

  /** Sends a fresh access token before the one the connection authenticated with expires. */
  reauthenticate(): void {
    const token = this.options.token();
    if (token && this.socket?.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify({ type: "auth", token }));
    }
  }

  private open(): void {
    const token = this.options.token();
    if (!token) return this.retry();
    this.options.onStatus?.("connecting");
    const socket = new WebSocket(this.options.url);
    this.socket = socket;
    socket.onopen = () => socket.send(JSON.stringify({ type: "auth", token }));
    socket.onmessage = (message) => this.receive(socket, JSON.parse(String(message.data)));
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.options.onStatus?.("closed");
      this.retry();
    };
  }

  private receive(socket: WebSocket, frame: ServerFrame): void {
    switch (frame.type) {
      case "authenticated": {
        if (this.subscribedOn === socket) return; // a re-authentication on an open connection
        this.subscribedOn = socket;
        this.attempts = 0;
        this.options.onStatus?.("open");
        const channels = this.options.channels?.(frame.user_id) ?? [`user:${frame.user_id}`];
        for (const channel of channels) {
          const since = this.lastSeq.get(channel);
          socket.send(JSON.stringify({ type: "subscribe", channel, since }));
        }
        return;
      }
      case "subscribed":
        if (!this.lastSeq.has(frame.channel)) {
          this.lastSeq.set(frame.channel, frame.seq);
          this.options.onFreshSubscription?.();
        }
        return;
      case "message":
        this.lastSeq.set(frame.channel, frame.seq);
        this.options.onEvent(frame.data);
        return;
      case "resync":
        this.lastSeq.set(frame.channel, frame.seq);
        this.options.onEvent(null);
        return;
      case "ping":
        socket.send(JSON.stringify({ type: "pong" }));
        return;
      default:
        return;
    }
  }

  private retry(): void {
    if (this.stopped) return;
    const { minDelay = 500, maxDelay = 30_000 } = this.options;
    // Full jitter: many tabs reconnecting after a restart do not arrive together.
    const ceiling = Math.min(maxDelay, minDelay * 2 ** this.attempts);
    this.attempts += 1;
    this.timer = setTimeout(() => this.open(), Math.random() * ceiling + minDelay / 2);
  }
}

export function liveUrl(): string {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${window.location.host}/api/v1/ws`;
}
