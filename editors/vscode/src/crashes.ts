// When the server dies: restart it quietly a few times, then stop and let the user decide
// (a notification with "Restart"). No `vscode` import: unit-tested under plain Node.

export const MAX_RESTARTS = 3;
export const WINDOW_MS = 3 * 60 * 1000;

export class CrashTracker {
  private crashes: number[] = [];

  constructor(
    private readonly maxRestarts = MAX_RESTARTS,
    private readonly windowMs = WINDOW_MS,
  ) {}

  /** Records a crash at `now`; true when the server should be restarted again. */
  record(now: number): boolean {
    this.crashes = this.crashes.filter((t) => now - t < this.windowMs);
    this.crashes.push(now);
    return this.crashes.length <= this.maxRestarts;
  }

  /** Crashes within the window (for the message). */
  get count(): number {
    return this.crashes.length;
  }

  reset(): void {
    this.crashes = [];
  }
}
