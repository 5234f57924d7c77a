/**
 * Wire format of a test message value, 16 bytes (HYDRA's were 14), big-endian:
 *
 *   0  u32  sequence number (per publisher)
 *   4  u16  publisher id
 *   6  u16  point epoch (which point the message belongs to)
 *   8  u32  intended send time: when the schedule said to send it, in 32 µs units since the point's t0
 *  12  u32  publish delay: actual send time − intended send time, µs
 *
 * Both send times are carried so latency can be measured from the intended time as well as the
 * actual one: a publisher that falls behind shows up in latency instead of hiding it (no
 * coordinated omission). t0 is an epoch-ms base the runner hands publisher and subscribers.
 */
export const MESSAGE_SIZE = 16;

/** Resolution of the intended send time, µs: u32 of these covers 38 hours. */
export const TIME_UNIT_US = 32;
const MAX_U32 = 0xffffffff;

export interface TestMessage {
  seq: number;
  pubId: number;
  epoch: number;
  /** Intended send time, epoch ms. */
  intendedMs: number;
  /** Actual send time, epoch ms. */
  sentMs: number;
}

export function encodeMessage(m: TestMessage, t0Ms: number, into?: Buffer): Buffer {
  const buf = into ?? Buffer.allocUnsafe(MESSAGE_SIZE);
  buf.writeUInt32BE(m.seq >>> 0, 0);
  buf.writeUInt16BE(m.pubId & 0xffff, 4);
  buf.writeUInt16BE(m.epoch & 0xffff, 6);
  const intendedUnits = Math.min(MAX_U32, Math.max(0, Math.round(((m.intendedMs - t0Ms) * 1000) / TIME_UNIT_US)));
  buf.writeUInt32BE(intendedUnits, 8);
  buf.writeUInt32BE(Math.min(MAX_U32, Math.max(0, Math.round((m.sentMs - m.intendedMs) * 1000))), 12);
  return buf;
}

/** Decodes a message value; null when it is not one of hydra's (too short). */
export function decodeMessage(buf: Buffer, t0Ms: number): TestMessage | null {
  if (buf.length < MESSAGE_SIZE) return null;
  const intendedMs = messageIntendedMs(buf, t0Ms);
  return { seq: messageSeq(buf), pubId: messagePubId(buf), epoch: messageEpoch(buf), intendedMs, sentMs: intendedMs + messageDelayMs(buf) };
}

/** Field readers for the subscriber's hot path: no object per message. */
export function messageSeq(buf: Buffer): number {
  return buf.readUInt32BE(0);
}
export function messagePubId(buf: Buffer): number {
  return buf.readUInt16BE(4);
}
export function messageEpoch(buf: Buffer): number {
  return buf.readUInt16BE(6);
}
/** Intended send time, epoch ms. */
export function messageIntendedMs(buf: Buffer, t0Ms: number): number {
  return t0Ms + (buf.readUInt32BE(8) * TIME_UNIT_US) / 1000;
}
/** Actual send time − intended, ms. */
export function messageDelayMs(buf: Buffer): number {
  return buf.readUInt32BE(12) / 1000;
}

/** Wall clock with sub-millisecond precision, comparable across processes on one host. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
