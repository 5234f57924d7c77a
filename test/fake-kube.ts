import * as crypto from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake API server saw. */
export interface KubeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

/** How the fake cluster treats the pods it is asked to create. */
export type PodScenario = 'ready' | 'forbidden' | 'quota' | 'image-pull' | 'never-ready';

interface StoredObject {
  metadata: { name: string; namespace: string; uid: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

/**
 * A fake Kubernetes API server: the few core/v1 endpoints hydra's Kubernetes launcher uses, over
 * real HTTP, so the official client is exercised as it is against a cluster. It records every
 * request; it runs nothing (a "ready" pod gets a Running status, a Ready condition and a pod IP
 * after one listing), and it answers as the API server does for the failures a user meets:
 * 403 Forbidden, 403 exceeded quota, an image that cannot be pulled, a pod that is never scheduled.
 */
export class FakeKubeApi {
  readonly requests: KubeRequest[] = [];
  readonly secrets = new Map<string, StoredObject>();
  readonly pods = new Map<string, StoredObject & { listed: number }>();
  scenario: PodScenario = 'ready';
  private server: http.Server | null = null;
  private nextIp = 2;

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => (raw += d));
      req.on('end', () => this.handle(req, raw, res));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** A kubeconfig file's text pointing the official client at this server. */
  kubeconfig(server: string): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: fake',
      '  cluster:',
      `    server: ${server}`,
      // Plain HTTP here (a test server); the client refuses http unless TLS checks are off.
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: tester',
      '  user:',
      '    token: test-token',
      'contexts:',
      '- name: fake',
      '  context:',
      '    cluster: fake',
      '    user: tester',
      'current-context: fake',
      '',
    ].join('\n');
  }

  private handle(req: http.IncomingMessage, raw: string, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const body = raw ? (JSON.parse(raw) as unknown) : undefined;
    this.requests.push({ method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), body });
    const send = (code: number, obj: unknown, type = 'application/json'): void => {
      res.writeHead(code, { 'content-type': type });
      res.end(typeof obj === 'string' ? obj : JSON.stringify(obj));
    };
    const status = (code: number, reason: string, message: string): void =>
      send(code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/(pods|secrets)(?:\/([^/]+))?(\/log)?$/.exec(url.pathname);
    if (!m) return status(404, 'NotFound', `no route ${url.pathname}`);
    const [, ns, resource, name, log] = m as unknown as [string, string, 'pods' | 'secrets', string | undefined, string | undefined];
    const store = resource === 'pods' ? this.pods : this.secrets;
    if (req.method === 'POST' && !name) {
      const obj = body as StoredObject;
      if (resource === 'pods' && this.scenario === 'forbidden')
        return status(
          403,
          'Forbidden',
          `pods is forbidden: User "system:serviceaccount:${ns}:default" cannot create resource "pods" in API group "" in the namespace "${ns}"`,
        );
      if (resource === 'pods' && this.scenario === 'quota')
        return status(
          403,
          'Forbidden',
          `pods "${obj.metadata.name}" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=10, limited: pods=10`,
        );
      if (store.has(obj.metadata.name)) return status(409, 'AlreadyExists', `${resource} "${obj.metadata.name}" already exists`);
      const stored = { ...obj, metadata: { ...obj.metadata, namespace: ns, uid: crypto.randomUUID() }, listed: 0 };
      store.set(obj.metadata.name, stored);
      return send(201, stored);
    }
    if (req.method === 'GET' && !name) {
      // `key=value` terms must match; a bare `key` must exist.
      const terms = (url.searchParams.get('labelSelector') ?? '')
        .split(',')
        .filter(Boolean)
        .map((kv) => kv.split('=') as [string, string | undefined]);
      const matches = (o: StoredObject): boolean => terms.every(([k, v]) => (v === undefined ? k in (o.metadata.labels ?? {}) : o.metadata.labels?.[k] === v));
      if (resource === 'secrets') return send(200, { kind: 'SecretList', apiVersion: 'v1', metadata: {}, items: [...this.secrets.values()].filter(matches) });
      const items = [...this.pods.values()].filter(matches).map((p) => this.withStatus(p));
      return send(200, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items });
    }
    if (req.method === 'GET' && resource === 'pods' && name && log) {
      return this.pods.has(name)
        ? send(200, `${new Date().toISOString()} ${name} log line\n`, 'text/plain')
        : status(404, 'NotFound', `pods "${name}" not found`);
    }
    if (req.method === 'DELETE' && name) {
      const obj = store.get(name);
      if (!obj) return status(404, 'NotFound', `${resource} "${name}" not found`);
      store.delete(name);
      return send(200, resource === 'pods' ? obj : { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' });
    }
    return status(405, 'MethodNotAllowed', `${req.method ?? ''} ${url.pathname}`);
  }

  /** A pod as the API returns it: status from the scenario; a ready pod is Running with an IP from its second listing on. */
  private withStatus(pod: StoredObject & { listed: number }): unknown {
    pod.listed++;
    const containers = (pod.spec as { containers: { image: string }[] }).containers;
    let status: unknown;
    if (this.scenario === 'image-pull')
      status = {
        phase: 'Pending',
        containerStatuses: containers.map((c) => ({
          name: 'app',
          image: c.image,
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'ErrImagePull', message: `rpc error: pull access denied for ${c.image}` } },
        })),
      };
    else if (this.scenario === 'never-ready')
      status = {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.' }],
      };
    else if (pod.listed < 2) status = { phase: 'Pending' };
    else {
      (pod as { ip?: string }).ip ??= `10.244.0.${this.nextIp++}`;
      status = { phase: 'Running', podIP: (pod as { ip?: string }).ip, conditions: [{ type: 'Ready', status: 'True' }] };
    }
    // What the API returns: the object without the fake's bookkeeping.
    const shown: Record<string, unknown> = { ...pod, status };
    delete shown.listed;
    delete shown.ip;
    return shown;
  }
}
