/**
 * Wire format of a test message value: 16 bytes, sequence number then send time (epoch ms with
 * sub-ms precision), both float64 big-endian. Close to HYDRA's 14-byte messages.
 */
export const MESSAGE_SIZE = 16;

export function encodeMessage(seq: number, sentMs: number, into?: Buffer): Buffer {
  const buf = into ?? Buffer.allocUnsafe(MESSAGE_SIZE);
  buf.writeDoubleBE(seq, 0);
  buf.writeDoubleBE(sentMs, 8);
  return buf;
}

export function decodeMessage(buf: Buffer): { seq: number; sentMs: number } | null {
  if (buf.length < MESSAGE_SIZE) return null;
  return { seq: buf.readDoubleBE(0), sentMs: buf.readDoubleBE(8) };
}

/** Wall clock with sub-millisecond precision, comparable across processes on one host. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
