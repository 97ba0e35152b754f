/** A failure that waiting can fix; the consumer retries the messages after `delaySeconds`. */
export class RetryableError extends Error {
  constructor(
    message: string,
    readonly kind: string,
    readonly delaySeconds: number,
  ) {
    super(message);
    this.name = "RetryableError";
  }
}
