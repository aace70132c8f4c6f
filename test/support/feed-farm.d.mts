export interface FeedFarm {
  port: number;
  hosts: number;
  feedUrl(index: number): string;
  counts(): number[];
  total(): number;
  resetCounts(): void;
  close(): Promise<unknown>;
}

export function farmFeed(index: number, items: number): string;
export function startFeedFarm(options: { feeds: number; items?: number; hosts?: number; delayMs?: number }): Promise<FeedFarm>;
