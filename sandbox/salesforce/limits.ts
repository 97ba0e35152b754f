// The org's rolling daily API allocation, reported in Sforce-Limit-Info and /limits.

export const DEFAULT_DAILY_LIMIT = 100_000;

export class ApiUsage {
  used = 0;
  private day = currentDay();

  constructor(public max = DEFAULT_DAILY_LIMIT) {}

  /** Counts one API call; false when the allocation is already spent. */
  consume(): boolean {
    this.rollOver();
    if (this.used >= this.max) return false;
    this.used += 1;
    return true;
  }

  header(): string {
    this.rollOver();
    return `api-usage=${this.used}/${this.max}`;
  }

  private rollOver(): void {
    const today = currentDay();
    if (today !== this.day) {
      this.day = today;
      this.used = 0;
    }
  }
}

const currentDay = () => new Date().toISOString().slice(0, 10);
