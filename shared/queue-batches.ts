/**
 * Cloudflare Queues' sendBatch limits: 100 messages and 256 KB (1 KB = 1,000 bytes), each message
 * counting its body and up to ~100 bytes of metadata.
 */
export const SEND_BATCH_LIMITS = { messages: 100, bytes: 256_000, overheadBytes: 100 } as const;

const encoder = new TextEncoder();

/** A JSON body's size as the queue counts it: its UTF-8 JSON text and the message's metadata. */
export function queuedBytes(body: unknown): number {
  return encoder.encode(JSON.stringify(body)).byteLength + SEND_BATCH_LIMITS.overheadBytes;
}

/**
 * JSON bodies in sendBatch-sized groups, in order: each group within both the message count and
 * the byte limit (a body is at most one message's 128 KB, so it always fits a group of its own).
 */
export function sendBatchesBySize<T>(
  bodies: T[],
  limits: { messages: number; bytes: number } = SEND_BATCH_LIMITS,
): MessageSendRequest<T>[][] {
  const batches: MessageSendRequest<T>[][] = [];
  let current: MessageSendRequest<T>[] = [];
  let size = 0;
  for (const body of bodies) {
    const bytes = queuedBytes(body);
    if (current.length && (current.length >= limits.messages || size + bytes > limits.bytes)) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push({ body, contentType: "json" });
    size += bytes;
  }
  if (current.length) batches.push(current);
  return batches;
}
