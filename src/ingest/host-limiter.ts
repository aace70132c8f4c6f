// Politeness: at most `perHost` requests at a time to one host, and `overall` in all.
// Waiters are served first come, first served.

/**
 * The host whose slots a request to `url` takes: host and port, so two servers on one machine
 * are two hosts. Undefined for a URL that does not parse.
 */
export function slotHost(url: URL): string;
export function slotHost(url: string): string | undefined;
export function slotHost(url: URL | string): string | undefined {
  if (url instanceof URL) return url.host;
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

/** Hands out request slots per host; the release function gives a slot back. */
export interface SlotLimiter {
  acquire(host: string): Promise<() => void>;
}

export class HostLimiter implements SlotLimiter {
  private readonly active = new Map<string, number>();
  private readonly waiting: { host: string; start: () => void }[] = [];
  private total = 0;

  constructor(
    readonly perHost: number,
    readonly overall: number,
  ) {}

  /** Resolves with a release function once a slot for `host` is free. */
  acquire(host: string): Promise<() => void> {
    return new Promise((resolve) => {
      const start = () => {
        this.total++;
        this.active.set(host, (this.active.get(host) ?? 0) + 1);
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.total--;
          const left = (this.active.get(host) ?? 1) - 1;
          if (left === 0) this.active.delete(host);
          else this.active.set(host, left);
          this.drain();
        });
      };
      this.waiting.push({ host, start });
      this.drain();
    });
  }

  private drain(): void {
    for (let index = 0; index < this.waiting.length && this.total < this.overall; ) {
      const waiter = this.waiting[index]!;
      if ((this.active.get(waiter.host) ?? 0) < this.perHost) {
        this.waiting.splice(index, 1);
        waiter.start();
      } else {
        index++;
      }
    }
  }
}
