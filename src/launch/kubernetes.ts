import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiException, CoreV1Api, KubeConfig, type V1Pod, type V1Secret } from '@kubernetes/client-node';
import { appAuthOf } from '../control/auth';
import type { AppKind, AppSpec, LaunchMessage } from '../control/wire';
import { AppLaunchError, errorMessage } from '../errors';
import { subAppsIn, type AppHandle, type Launcher, type Placement } from './launcher';
import { makeLogDirectory, type ProcessLauncherOptions } from './process-launcher';
import type { KubernetesSettings } from './kubernetes-settings';

export type KubernetesLauncherOptions = ProcessLauncherOptions & { runId: string; kubernetes: KubernetesSettings };

/** Labels every object of a run carries: `hydra clean` and the launcher find them by these. */
export const RUN_LABEL = 'hydra.run';
const KIND_LABEL = 'hydra.kind';
const APP_LABEL = 'hydra.app';
const SPEC_DIR = '/etc/hydra';

/** Reasons a container waits that mean its image cannot be had: no wait makes it ready. */
const IMAGE_FAILURES = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);

/** A Kubernetes object name from an app name and run id (lower case, digits, '-'). */
export function podName(runId: string, app: string): string {
  return `hydra-${runId}-${app}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 63)
    .replace(/-+$/, '');
}

/**
 * The Secret that is the run's parent object: it holds the launch spec common to every app (the
 * run's control credentials, TLS/SASL secrets), mounted into each pod as a file — never in a pod's
 * command line or environment — and every pod names it as its owner, so deleting it (or the
 * namespace's garbage collector, once it is gone) takes every pod of the run with it.
 */
export function runSecret(runId: string, namespace: string, spec: Omit<AppSpec, 'name' | 'kind'>): V1Secret {
  const launch = { type: 'spec', spec } as unknown as LaunchMessage;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: podName(runId, 'run'), namespace, labels: { 'app.kubernetes.io/name': 'hydra', [RUN_LABEL]: runId } },
    type: 'Opaque',
    stringData: { 'spec.json': JSON.stringify(launch) },
  };
}

/**
 * The pod of one app. Placement like HYDRA's: a publisher refuses to share a node with any other
 * pod of the run (required anti-affinity, which also keeps sub pods off its node), sub pods prefer
 * nodes without another sub pod (spread).
 */
export function appPod(runId: string, kind: AppKind, app: string, k: KubernetesSettings, owner: { name: string; uid: string }): V1Pod {
  const r = k.resources;
  const quantities = (cpu: string, memory: string): Record<string, string> | undefined => {
    const q: Record<string, string> = {};
    if (cpu) q.cpu = cpu;
    if (memory) q.memory = memory;
    return Object.keys(q).length ? q : undefined;
  };
  const requests = quantities(r.cpuRequest, r.memoryRequest);
  const limits = quantities(r.cpuLimit, r.memoryLimit);
  const runPods = { matchLabels: { [RUN_LABEL]: runId } };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName(runId, app),
      namespace: k.namespace,
      labels: { 'app.kubernetes.io/name': 'hydra', [RUN_LABEL]: runId, [KIND_LABEL]: kind, [APP_LABEL]: app },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Secret', name: owner.name, uid: owner.uid, blockOwnerDeletion: true }],
    },
    spec: {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'app',
          image: k.image,
          imagePullPolicy: k.imagePullPolicy,
          command: ['node', `dist/src/apps/${kind}.js`],
          env: [
            { name: 'HYDRA_APP_NAME', value: app },
            { name: 'HYDRA_APP_KIND', value: kind },
            { name: 'HYDRA_SPEC_FILE', value: `${SPEC_DIR}/spec.json` },
            { name: 'HYDRA_CONTROL_PORT', value: String(k.controlPort) },
            // The pod's own address, for its control server (the runner reaches it there).
            { name: 'HYDRA_CONTROL_HOST', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          ],
          ports: [{ name: 'control', containerPort: k.controlPort, protocol: 'TCP' }],
          readinessProbe: { tcpSocket: { port: k.controlPort }, periodSeconds: 2 },
          volumeMounts: [{ name: 'spec', mountPath: SPEC_DIR, readOnly: true }],
          ...(requests || limits ? { resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) } } : {}),
        },
      ],
      volumes: [{ name: 'spec', secret: { secretName: owner.name } }],
      ...(Object.keys(k.nodeSelector).length ? { nodeSelector: k.nodeSelector } : {}),
      ...(k.tolerations.length ? { tolerations: k.tolerations.map(parseToleration) } : {}),
      affinity:
        kind === 'pub'
          ? { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: runPods, topologyKey: 'kubernetes.io/hostname' }] } }
          : {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  {
                    weight: 100,
                    podAffinityTerm: { labelSelector: { matchLabels: { [RUN_LABEL]: runId, [KIND_LABEL]: 'sub' } }, topologyKey: 'kubernetes.io/hostname' },
                  },
                ],
              },
            },
    },
  };
}

/** `key=value:Effect` (operator Equal) or `key:Effect` (operator Exists). */
export function parseToleration(text: string): { key: string; operator: 'Equal' | 'Exists'; value?: string; effect: string } {
  const m = /^([^=:\s]+)(?:=([^:\s]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(text);
  if (!m) throw new AppLaunchError(`[kubernetes] tolerations: "${text}" is not key=value:Effect or key:Effect`, { retriable: false });
  return m[2] === undefined
    ? { key: m[1] as string, operator: 'Exists', effect: m[3] as string }
    : { key: m[1] as string, operator: 'Equal', value: m[2], effect: m[3] as string };
}

/** One line for an API error: what was refused and why, with the fix where it is known. */
export function apiErrorLine(err: unknown, what: string, namespace: string): string {
  if (err instanceof ApiException) {
    const body = typeof err.body === 'string' ? safeJson(err.body) : (err.body as { message?: string } | undefined);
    const message = body?.message ?? String(err.body ?? '');
    if (err.code === 403 && /exceeded quota/i.test(message)) return `kubernetes: ${what}: namespace ${namespace} quota exceeded (${message})`;
    if (err.code === 403)
      return `kubernetes: ${what}: forbidden (${message}); the account needs create, get, list and delete on pods, pods/log and secrets in namespace ${namespace}`;
    return `kubernetes: ${what}: HTTP ${err.code} (${message})`;
  }
  return `kubernetes: ${what}: ${errorMessage(err)}`;
}

function safeJson(text: string): { message?: string } | undefined {
  try {
    return JSON.parse(text) as { message?: string };
  } catch {
    return { message: text };
  }
}

/** Why a pod is not ready yet, or that it never will be. */
export function podProblem(pod: V1Pod): { fatal: boolean; reason: string } | null {
  const status = pod.status;
  for (const c of status?.containerStatuses ?? []) {
    const waiting = c.state?.waiting;
    if (waiting?.reason && IMAGE_FAILURES.has(waiting.reason))
      return { fatal: true, reason: `image ${c.image} cannot be pulled (${waiting.reason}: ${waiting.message ?? 'no message'})` };
    const done = c.state?.terminated;
    if (done) return { fatal: true, reason: `container exited (${done.reason ?? 'exit'} ${done.exitCode})` };
  }
  if (status?.phase === 'Failed' || status?.phase === 'Succeeded') return { fatal: true, reason: `pod ${status.phase}` };
  const unscheduled = status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (unscheduled) return { fatal: false, reason: `not scheduled: ${unscheduled.message ?? unscheduled.reason ?? ''}` };
  return null;
}

function isReady(pod: V1Pod): boolean {
  return Boolean(pod.status?.podIP) && (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/**
 * Apps as pods of a Kubernetes cluster, through the official client. The runner is expected to
 * reach pod IPs (inside the cluster as a Job, or outside with a route to the pod network); each
 * app's control server listens on its pod IP at `controlPort`, with CURVE on. Pods are created in
 * batches, waited for until ready, and deleted on every exit path; the run's Secret is their owner,
 * deleted last, so nothing outlives the run even if a pod delete was missed.
 */
export class KubernetesLauncher implements Launcher {
  /** In pods, reached on their pod IPs: always beyond loopback, each pod on a node with a clock of its own. */
  static readonly PLACEMENT: Placement = { controlAddresses: ['pod IPs'], otherHosts: true };
  readonly placement = KubernetesLauncher.PLACEMENT;

  readonly logDir: string;
  private readonly api: CoreV1Api;
  private readonly k: KubernetesSettings;
  private readonly apps = new Map<string, { handle: AppHandle; alive: boolean; settle: (how: string) => void }>();
  private owner: { name: string; uid: string } | null = null;
  private nextSub = 0;

  constructor(private readonly options: KubernetesLauncherOptions) {
    this.k = options.kubernetes;
    this.logDir = options.logDir;
    makeLogDirectory(this.logDir);
    const kc = new KubeConfig();
    if (this.k.kubeconfig) kc.loadFromFile(this.k.kubeconfig);
    else kc.loadFromDefault();
    this.api = kc.makeApiClient(CoreV1Api);
  }

  /** The run's Secret, created once: the pods' owner and their launch spec. */
  private async parent(): Promise<{ name: string; uid: string }> {
    if (this.owner) return this.owner;
    const o = this.options;
    const spec = {
      brokers: o.brokers,
      client_id: o.client_id,
      control_host: '0.0.0.0',
      control: appAuthOf(o.auth),
      ...(o.kafkaSecurity ? { kafka_security: o.kafkaSecurity } : {}),
      ...(o.kafkajs ? { kafkajs: o.kafkajs } : {}),
      ...(o.librdkafka ? { librdkafka: o.librdkafka } : {}),
    };
    try {
      const created = await this.api.createNamespacedSecret({ namespace: this.k.namespace, body: runSecret(o.runId, this.k.namespace, spec) });
      this.owner = { name: created.metadata?.name ?? podName(o.runId, 'run'), uid: created.metadata?.uid ?? '' };
      return this.owner;
    } catch (err) {
      throw new AppLaunchError(apiErrorLine(err, 'creating the run secret', this.k.namespace), { retriable: false });
    }
  }

  async launch(kind: AppKind, name: string): Promise<AppHandle> {
    const [handle] = await this.createBatch(kind, [name]);
    return handle as AppHandle;
  }

  /** Creates the pods of `names`, then waits until all are ready (or one cannot be). */
  private async createBatch(kind: AppKind, names: readonly string[]): Promise<AppHandle[]> {
    const owner = await this.parent();
    const ns = this.k.namespace;
    const created: string[] = [];
    try {
      for (const name of names) {
        await this.api.createNamespacedPod({ namespace: ns, body: appPod(this.options.runId, kind, name, this.k, owner) });
        created.push(name);
      }
      const ready = await this.waitReady(names);
      return names.map((name) => this.track(kind, name, ready.get(name) as string));
    } catch (err) {
      // Nothing half-made is left: the pods of a batch that failed are deleted.
      await Promise.all(created.map((name) => this.deletePod(name)));
      if (err instanceof AppLaunchError) throw err;
      throw new AppLaunchError(apiErrorLine(err, `creating pods ${names[0] ?? ''}…`, ns), { retriable: false });
    }
  }

  /** Polls the run's pods until every one of `names` is ready (returns its IP), fails at once on one that cannot become ready. */
  private async waitReady(names: readonly string[]): Promise<Map<string, string>> {
    const deadline = Date.now() + this.k.readyTimeoutMs;
    const want = new Set(names);
    for (;;) {
      const list = await this.api.listNamespacedPod({ namespace: this.k.namespace, labelSelector: `${RUN_LABEL}=${this.options.runId}` });
      const ready = new Map<string, string>();
      let waitingFor = '';
      for (const pod of list.items) {
        const app = pod.metadata?.labels?.[APP_LABEL];
        if (!app || !want.has(app)) continue;
        if (isReady(pod)) {
          ready.set(app, pod.status?.podIP as string);
          continue;
        }
        const problem = podProblem(pod);
        if (problem?.fatal) throw new AppLaunchError(`kubernetes: pod ${pod.metadata?.name ?? app}: ${problem.reason}`, { retriable: false });
        waitingFor ||= `${pod.metadata?.name ?? app}: ${problem?.reason ?? `phase ${pod.status?.phase ?? 'unknown'}`}`;
      }
      if (ready.size === want.size) return ready;
      if (Date.now() >= deadline)
        throw new AppLaunchError(
          `kubernetes: ${want.size - ready.size} of ${want.size} pods not ready after ${Math.round(this.k.readyTimeoutMs / 1000)} s (${waitingFor || 'not listed'})`,
          { retriable: false },
        );
      await new Promise((r) => setTimeout(r, this.k.pollMs ?? 1000));
    }
  }

  private track(kind: AppKind, name: string, ip: string): AppHandle {
    let settle: (how: string) => void = () => undefined;
    const exited = new Promise<number | string | null>((resolve) => {
      settle = resolve;
    });
    const entry = { handle: undefined as unknown as AppHandle, alive: true, settle };
    entry.handle = {
      name,
      kind,
      pid: undefined,
      endpoint: `tcp://${ip}:${this.k.controlPort}`,
      logFile: path.join(this.logDir, `${name}.log`),
      exited,
      isAlive: () => entry.alive,
    };
    this.apps.set(name, entry);
    return entry.handle;
  }

  subApps(): AppHandle[] {
    return subAppsIn([...this.apps.values()].map((a) => a.handle));
  }

  async scaleSubGroup(count: number): Promise<{ apps: AppHandle[]; added: AppHandle[]; removed: AppHandle[] }> {
    const current = this.subApps();
    const removed = current.slice(count);
    await Promise.all(removed.map((h) => this.remove(h)));
    const names = Array.from({ length: Math.max(0, count - current.length) }, () => `sub-${this.nextSub++}`);
    const added: AppHandle[] = [];
    for (let i = 0; i < names.length; i += this.k.batchSize) added.push(...(await this.createBatch('sub', names.slice(i, i + this.k.batchSize))));
    return { apps: this.subApps(), added, removed };
  }

  /** Pulls the app's log into the run's log directory, then deletes its pod. */
  async remove(app: AppHandle, opts: { force?: boolean } = {}): Promise<void> {
    const entry = this.apps.get(app.name);
    if (!entry) return;
    this.apps.delete(app.name);
    await this.pullLog(app);
    await this.deletePod(app.name, opts.force ? 0 : undefined);
    entry.alive = false;
    entry.settle('deleted');
  }

  /** Every pod, then the run's Secret (the owner: anything missed goes with it). */
  async removeAll(): Promise<void> {
    await Promise.all([...this.apps.values()].map((a) => this.remove(a.handle)));
    if (this.owner) {
      const owner = this.owner;
      this.owner = null;
      await this.api
        .deleteNamespacedSecret({ name: owner.name, namespace: this.k.namespace, propagationPolicy: 'Background' })
        .catch((err: unknown) => process.stderr.write(`hydra: ${apiErrorLine(err, `deleting ${owner.name}`, this.k.namespace)}\n`));
    }
  }

  private async pullLog(app: AppHandle): Promise<void> {
    try {
      const text = await this.api.readNamespacedPodLog({ name: podName(this.options.runId, app.name), namespace: this.k.namespace });
      fs.writeFileSync(app.logFile, text);
    } catch (err) {
      fs.writeFileSync(app.logFile, `(log not pulled: ${apiErrorLine(err, 'reading the log', this.k.namespace)})\n`);
    }
  }

  private async deletePod(name: string, gracePeriodSeconds?: number): Promise<void> {
    await this.api
      .deleteNamespacedPod({
        name: podName(this.options.runId, name),
        namespace: this.k.namespace,
        ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }),
      })
      .catch((err: unknown) => {
        if (!(err instanceof ApiException && err.code === 404))
          process.stderr.write(`hydra: ${apiErrorLine(err, `deleting pod of ${name}`, this.k.namespace)}\n`);
      });
  }
}

/** Pods and secrets of hydra runs left in a namespace (a runner that was killed leaves them). */
export interface KubernetesLeftovers {
  pods: string[];
  secrets: string[];
}

/** Finds and deletes what runs left in the namespace, by the run label (`hydra clean`). */
export class KubernetesCleaner {
  private readonly api: CoreV1Api;

  constructor(private readonly k: Pick<KubernetesSettings, 'namespace' | 'kubeconfig'>) {
    const kc = new KubeConfig();
    if (k.kubeconfig) kc.loadFromFile(k.kubeconfig);
    else kc.loadFromDefault();
    this.api = kc.makeApiClient(CoreV1Api);
  }

  /** Objects labelled with `run` (any run's, without it). */
  async list(run?: string): Promise<KubernetesLeftovers> {
    const labelSelector = run === undefined ? RUN_LABEL : `${RUN_LABEL}=${run}`;
    try {
      const [pods, secrets] = await Promise.all([
        this.api.listNamespacedPod({ namespace: this.k.namespace, labelSelector }),
        this.api.listNamespacedSecret({ namespace: this.k.namespace, labelSelector }),
      ]);
      return { pods: pods.items.map((p) => p.metadata?.name ?? ''), secrets: secrets.items.map((s) => s.metadata?.name ?? '') };
    } catch (err) {
      throw new AppLaunchError(apiErrorLine(err, 'listing hydra pods and secrets', this.k.namespace), { retriable: false });
    }
  }

  /** Deletes them: pods, then secrets; what could not be deleted comes back with the reason. */
  async remove(found: KubernetesLeftovers): Promise<string[]> {
    const failed: string[] = [];
    const del = async (what: string, call: () => Promise<unknown>): Promise<void> => {
      await call().catch((err: unknown) => failed.push(apiErrorLine(err, `deleting ${what}`, this.k.namespace)));
    };
    await Promise.all(found.pods.map((name) => del(`pod ${name}`, () => this.api.deleteNamespacedPod({ name, namespace: this.k.namespace }))));
    await Promise.all(
      found.secrets.map((name) =>
        del(`secret ${name}`, () => this.api.deleteNamespacedSecret({ name, namespace: this.k.namespace, propagationPolicy: 'Background' })),
      ),
    );
    return failed;
  }
}
