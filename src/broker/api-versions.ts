import * as net from 'node:net';
import * as tls from 'node:tls';
import type { KafkaSecurity } from '../control/wire';

import type { BrokerApis } from './cluster-info';

/**
 * APIs that first appeared in a given Apache Kafka release (KIP-referenced; the protocol guide's
 * API keys). The newest one a broker serves gives a floor for its release.
 */
const API_MARKERS: readonly { apiKey: number; name: string; since: string }[] = [
  { apiKey: 37, name: 'CreatePartitions', since: '1.0' },
  { apiKey: 42, name: 'DeleteGroups', since: '1.1' },
  { apiKey: 43, name: 'ElectLeaders', since: '2.2' },
  { apiKey: 44, name: 'IncrementalAlterConfigs', since: '2.3' },
  { apiKey: 47, name: 'OffsetDelete', since: '2.4' },
  { apiKey: 48, name: 'DescribeClientQuotas', since: '2.6' },
  { apiKey: 50, name: 'DescribeUserScramCredentials', since: '2.7' },
  { apiKey: 60, name: 'DescribeCluster', since: '2.8' },
  { apiKey: 65, name: 'DescribeTransactions', since: '3.0' },
];

/** The release floor implied by the APIs a broker serves. */
export function versionFloor(maxVersions: Record<string, number>): string | null {
  let floor: string | null = null;
  for (const m of API_MARKERS) if (String(m.apiKey) in maxVersions) floor = m.since;
  return floor;
}

const API_VERSIONS_KEY = 18;

/** ApiVersions v0: accepted by every broker since 0.10, before any SASL handshake (KIP-35, KIP-43). */
export function encodeApiVersionsRequest(correlationId: number, clientId: string): Buffer {
  const id = Buffer.from(clientId, 'utf8');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + id.length);
  body.writeInt16BE(API_VERSIONS_KEY, 0);
  body.writeInt16BE(0, 2);
  body.writeInt32BE(correlationId, 4);
  body.writeInt16BE(id.length, 8);
  id.copy(body, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

/** The v0 response after its size field: correlation id, error code, [api key, min, max]. */
export function decodeApiVersionsResponse(frame: Buffer, correlationId: number): Record<string, number> {
  if (frame.readInt32BE(0) !== correlationId) throw new Error('ApiVersions: response to another request');
  const error = frame.readInt16BE(4);
  if (error !== 0) throw new Error(`ApiVersions: error code ${error}`);
  const count = frame.readInt32BE(6);
  const out: Record<string, number> = {};
  for (let i = 0, at = 10; i < count; i++, at += 6) out[String(frame.readInt16BE(at))] = frame.readInt16BE(at + 4);
  return out;
}

/** Asks `broker` (host:port) for its APIs over a connection of its own (TLS when configured); times out after `timeoutMs`. */
export async function fetchBrokerApis(broker: string, clientId: string, security: KafkaSecurity | null, timeoutMs = 5000): Promise<BrokerApis> {
  const colon = broker.lastIndexOf(':');
  const host = broker.slice(0, colon);
  const port = Number(broker.slice(colon + 1));
  const correlationId = 1;
  const frame = await new Promise<Buffer>((resolve, reject) => {
    const t = security?.tls;
    const socket: net.Socket = t
      ? tls.connect({ host, port, ca: t.ca, cert: t.cert, key: t.key, servername: t.servername ?? host })
      : net.connect({ host, port });
    const timer = setTimeout(() => socket.destroy(new Error(`ApiVersions: no answer from ${broker} within ${timeoutMs} ms`)), timeoutMs);
    let data = Buffer.alloc(0);
    socket.once(t ? 'secureConnect' : 'connect', () => socket.write(encodeApiVersionsRequest(correlationId, clientId)));
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (data.length >= 4 && data.length >= 4 + data.readInt32BE(0)) {
        clearTimeout(timer);
        socket.end();
        resolve(data.subarray(4, 4 + data.readInt32BE(0)));
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
  const maxVersions = decodeApiVersionsResponse(frame, correlationId);
  return { max_versions: maxVersions, version_floor: versionFloor(maxVersions) };
}
