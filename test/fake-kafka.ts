import * as net from 'node:net';

/**
 * A Kafka broker for one thing the embedded broker cannot do: hold a producer back with a quota.
 * It speaks just what a kafkajs producer needs — ApiVersions v0-v2, Metadata v1, Produce v5-v7 —
 * over real TCP, by the protocol's wire format, and enforces a produce byte-rate quota the way
 * Kafka's quota manager does since KIP-219 (Kafka 2.0): it answers at once, with
 * throttle_time_ms = (observed rate − quota) / quota × the measuring window, and the client holds
 * its next requests back that long. No consumer, group or admin API: publisher tests only.
 */
export class FakeThrottlingBroker {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private port = 0;
  /** Produce request bytes received, with their times, over the quota's window. */
  private samples: { at: number; bytes: number }[] = [];
  private readonly offsets = new Map<string, number>();
  /** Throttle times handed out, ms. */
  readonly throttles: number[] = [];
  producedRecords = 0;

  constructor(
    private readonly quotaBytesPerS: number,
    private readonly windowMs = 1000,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = net.createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private serve(socket: net.Socket): void {
    let pending = Buffer.alloc(0);
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const size = pending.readInt32BE(0);
        if (pending.length < 4 + size) break;
        const frame = pending.subarray(4, 4 + size);
        pending = pending.subarray(4 + size);
        const reply = this.answer(new Reader(frame));
        if (reply) socket.write(frame32(reply));
      }
    });
  }

  private answer(r: Reader): Buffer | null {
    const apiKey = r.int16();
    const version = r.int16();
    const correlationId = r.int32();
    r.nullableString(); // client id
    const w = new Writer().int32(correlationId);
    switch (apiKey) {
      case 18: // ApiVersions
        w.int16(0).array(
          [
            [0, 5, 7],
            [3, 1, 1],
            [18, 0, 2],
          ],
          (w, [key, min, max]) =>
            w
              .int16(key as number)
              .int16(min as number)
              .int16(max as number),
        );
        if (version >= 1) w.int32(0);
        return w.buffer();
      case 3: {
        // Metadata v1: this broker leads partition 0 of every topic asked for.
        const topics = r.nullableArray((r) => r.string()) ?? [];
        w.array([0], (w) => w.int32(0).string('127.0.0.1').int32(this.port).nullableString(null));
        w.int32(0);
        w.array(topics, (w, topic) =>
          w
            .int16(0)
            .string(topic)
            .int8(0)
            .array([0], (w) =>
              w
                .int16(0)
                .int32(0)
                .int32(0)
                .array([0], (w, n) => w.int32(n))
                .array([0], (w, n) => w.int32(n)),
            ),
        );
        return w.buffer();
      }
      case 0: {
        r.nullableString(); // transactional id
        const acks = r.int16();
        r.int32(); // timeout
        let bytes = 0;
        const topics = r.array((r) => ({
          topic: r.string(),
          partitions: r.array((r) => {
            const partition = r.int32();
            const records = r.bytes();
            bytes += records.length;
            // A record batch (magic 2): lastOffsetDelta at byte 23 → records in it.
            const count = records.length >= 27 ? records.readInt32BE(23) + 1 : 0;
            return { partition, count };
          }),
        }));
        const throttleMs = this.throttleFor(bytes);
        if (acks === 0) return null;
        w.array(topics, (w, t) =>
          w.string(t.topic).array(t.partitions, (w, p) => {
            const key = `${t.topic}/${p.partition}`;
            const base = this.offsets.get(key) ?? 0;
            this.offsets.set(key, base + p.count);
            this.producedRecords += p.count;
            return w.int32(p.partition).int16(0).int64(base).int64(-1).int64(0);
          }),
        );
        w.int32(throttleMs);
        return w.buffer();
      }
      default:
        throw new Error(`fake broker: API ${apiKey} v${version} is not spoken here`);
    }
  }

  /** Kafka's quota arithmetic over a sliding window: how long this client must now wait. */
  private throttleFor(bytes: number): number {
    const now = Date.now();
    this.samples.push({ at: now, bytes });
    this.samples = this.samples.filter((s) => s.at > now - this.windowMs);
    const rate = this.samples.reduce((n, s) => n + s.bytes, 0) / (this.windowMs / 1000);
    const throttle = rate > this.quotaBytesPerS ? Math.round(((rate - this.quotaBytesPerS) / this.quotaBytesPerS) * this.windowMs) : 0;
    if (throttle > 0) this.throttles.push(throttle);
    return throttle;
  }
}

function frame32(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

class Reader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}
  int8(): number {
    return this.buf.readInt8((this.at += 1) - 1);
  }
  int16(): number {
    return this.buf.readInt16BE((this.at += 2) - 2);
  }
  int32(): number {
    return this.buf.readInt32BE((this.at += 4) - 4);
  }
  nullableString(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    return this.buf.toString('utf8', this.at, (this.at += len));
  }
  string(): string {
    return this.nullableString() ?? '';
  }
  bytes(): Buffer {
    const len = this.int32();
    return len < 0 ? Buffer.alloc(0) : this.buf.subarray(this.at, (this.at += len));
  }
  nullableArray<T>(item: (r: Reader) => T): T[] | null {
    const n = this.int32();
    if (n < 0) return null;
    return Array.from({ length: n }, () => item(this));
  }
  array<T>(item: (r: Reader) => T): T[] {
    return this.nullableArray(item) ?? [];
  }
}

class Writer {
  private parts: Buffer[] = [];
  private put(size: number, write: (b: Buffer) => void): this {
    const b = Buffer.alloc(size);
    write(b);
    this.parts.push(b);
    return this;
  }
  int8(v: number): this {
    return this.put(1, (b) => b.writeInt8(v));
  }
  int16(v: number): this {
    return this.put(2, (b) => b.writeInt16BE(v));
  }
  int32(v: number): this {
    return this.put(4, (b) => b.writeInt32BE(v));
  }
  int64(v: number): this {
    return this.put(8, (b) => b.writeBigInt64BE(BigInt(v)));
  }
  nullableString(v: string | null): this {
    if (v === null) return this.int16(-1);
    const bytes = Buffer.from(v, 'utf8');
    this.int16(bytes.length);
    this.parts.push(bytes);
    return this;
  }
  string(v: string): this {
    return this.nullableString(v);
  }
  array<T>(items: readonly T[], item: (w: Writer, v: T) => Writer): this {
    this.int32(items.length);
    for (const v of items) item(this, v);
    return this;
  }
  buffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}
