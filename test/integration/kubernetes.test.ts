import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Pod, Secret } from 'kubernetes-models/v1';
import { newControlAuth } from '../../src/control/auth';
import { KubernetesLauncher } from '../../src/launch/kubernetes';
import type { KubernetesSettings } from '../../src/launch/kubernetes-settings';
import { runCli } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/command';
import { FakeKubeApi } from '../fake-kube';
import { tempDir } from '../helpers';

/**
 * The Kubernetes launcher against a fake API server (no cluster can run here; the launcher has not
 * been run on a live cluster). The official client talks real HTTP to it; every request is
 * recorded, and every manifest hydra sends is validated against the Kubernetes API schema
 * (kubernetes-models, generated from the API's OpenAPI definitions).
 */
describe('kubernetes launcher (fake API server, official client)', function () {
  this.timeout(30000);
  let dir: string;
  let api: FakeKubeApi;
  let kubeconfig: string;

  beforeEach(async () => {
    dir = tempDir();
    api = new FakeKubeApi();
    const server = await api.start();
    kubeconfig = path.join(dir, 'kubeconfig');
    fs.writeFileSync(kubeconfig, api.kubeconfig(server));
  });
  afterEach(async () => {
    await api.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const settings = (over: Partial<KubernetesSettings> = {}): KubernetesSettings => ({
    namespace: 'bench',
    image: 'registry.example/hydra:0.4',
    imagePullPolicy: 'IfNotPresent',
    resources: { cpuRequest: '500m', cpuLimit: '1', memoryRequest: '128Mi', memoryLimit: '512Mi' },
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    tolerations: ['dedicated=bench:NoSchedule'],
    kubeconfig,
    batchSize: 2,
    controlPort: 7000,
    readyTimeoutMs: 1500,
    pollMs: 20,
    ...over,
  });
  const launcher = (over: Partial<KubernetesSettings> = {}): KubernetesLauncher =>
    new KubernetesLauncher({
      brokers: ['kafka-0.kafka:9092'],
      client_id: 'hydra',
      control_host: '0.0.0.0',
      auth: newControlAuth('run1', true),
      logDir: path.join(dir, 'logs'),
      runId: 'run1',
      kubernetes: settings(over),
    });
  const posted = (resource: string) => api.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/${resource}`));

  it('creates the run secret, then pods in batches, all labelled and owned by it; manifests match the API schema; everything deleted at the end', async () => {
    const l = launcher();
    const pub = await l.launch('pub', 'pub');
    const { added } = await l.scaleSubGroup(5);
    assert.equal(added.length, 5);
    assert.match(pub.endpoint, /^tcp:\/\/10\.244\.0\.\d+:7000$/);
    assert.equal(new Set([pub, ...added].map((a) => a.endpoint)).size, 6, 'each app at its pod IP');
    // The secret first, then 1 + 5 pods; between batches of 2 the launcher waited for readiness (listing by the run's label).
    assert.deepEqual(
      api.requests.filter((r) => r.method === 'POST').map((r) => r.path.split('/').pop()),
      ['secrets', 'pods', 'pods', 'pods', 'pods', 'pods', 'pods'],
    );
    const listings = api.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/pods'));
    assert.ok(listings.every((r) => r.query.labelSelector === 'hydra.run=run1'));
    const order = api.requests.map((r) => (r.method === 'POST' && r.path.endsWith('/pods') ? 'create' : r.method === 'GET' ? 'list' : r.method));
    const creates = order.flatMap((o, i) => (o === 'create' ? [i] : []));
    assert.ok(order.slice(creates[2], creates[3]).includes('list') && order.slice(creates[4], creates[5]).includes('list'), `batches of 2: ${order.join(' ')}`);
    const secret = posted('secrets')[0]?.body as Secret;
    new Secret(secret).validate();
    // The secrets travel in the secret, mounted as a file; no pod has them in its command or environment.
    assert.ok(JSON.stringify(secret).includes('serverSecret'));
    const uid = api.secrets.get(secret.metadata?.name ?? '')?.metadata.uid;
    for (const req of posted('pods')) {
      const pod = req.body as Pod;
      new Pod(pod).validate();
      assert.equal(pod.metadata?.labels?.['hydra.run'], 'run1');
      assert.deepEqual(
        pod.metadata?.ownerReferences?.map((o) => [o.kind, o.uid]),
        [['Secret', uid]],
      );
      assert.ok(!JSON.stringify(pod.spec?.containers).includes('serverSecret'), 'no secret in a pod manifest');
      assert.deepEqual(pod.spec?.nodeSelector, { 'kubernetes.io/os': 'linux' });
      assert.deepEqual(pod.spec?.tolerations, [{ key: 'dedicated', operator: 'Equal', value: 'bench', effect: 'NoSchedule' }]);
      assert.deepEqual(pod.spec?.containers[0]?.resources, { requests: { cpu: '500m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } });
    }
    const pubPod = posted('pods')[0]?.body as Pod;
    assert.ok(pubPod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution, 'the publisher has a node of its own');
    assert.ok((posted('pods')[1]?.body as Pod).spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution, 'sub pods spread');

    await l.scaleSubGroup(3);
    assert.equal(api.pods.size, 4, 'shrinking deletes two sub pods');
    await l.removeAll();
    assert.equal(api.pods.size, 0, 'every pod deleted');
    assert.equal(api.secrets.size, 0, 'the run secret (their owner) deleted last');
    assert.equal(api.requests.at(-1)?.method, 'DELETE');
    assert.match(fs.readFileSync(path.join(dir, 'logs', 'sub-0.log'), 'utf8'), /log line/, 'app logs pulled into the run log dir');
  });

  it('hydra clean lists what a killed runner left (pods, run secret) and deletes it with --yes', async () => {
    const l = launcher();
    await l.launch('pub', 'pub');
    await l.scaleSubGroup(2);
    // The runner "dies" here: no removeAll.
    const ini = path.join(dir, 'hydra.ini');
    fs.writeFileSync(ini, `[launcher]\nkind = kubernetes\n[kubernetes]\nnamespace = bench\nimage = registry.example/hydra:0.4\nkubeconfig = ${kubeconfig}\n`);
    const io = () => {
      const out: string[] = [];
      const err: string[] = [];
      return { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, interactive: false, out, err };
    };
    const dry = io();
    assert.equal(await runCli(['clean', `--config_file=${ini}`], dry as unknown as CliIO), 0);
    assert.deepEqual(dry.out.join('').trim().split('\n'), ['pod hydra-run1-pub', 'pod hydra-run1-sub-0', 'pod hydra-run1-sub-1', 'secret hydra-run1-run']);
    assert.match(dry.err.join(''), /3 pod\(s\) and 1 secret\(s\) of hydra runs in namespace bench; dry run, nothing deleted/);
    assert.equal(api.pods.size, 3);
    const yes = io();
    assert.equal(await runCli(['clean', '--run=run1', '--yes', `--config_file=${ini}`], yes as unknown as CliIO), 0);
    assert.equal(api.pods.size + api.secrets.size, 0, 'everything of the run deleted');
    assert.ok(api.requests.some((r) => r.method === 'GET' && r.query.labelSelector === 'hydra.run=run1'));
  });

  for (const [scenario, message] of [
    [
      'forbidden',
      /^kubernetes: creating pods pub…: forbidden \(pods is forbidden: .*\); the account needs create, get, list and delete on pods, pods\/log and secrets in namespace bench$/,
    ],
    ['quota', /^kubernetes: creating pods pub…: namespace bench quota exceeded \(pods "hydra-run1-pub" is forbidden: exceeded quota: compute/],
    ['image-pull', /^kubernetes: pod hydra-run1-pub: image registry\.example\/hydra:0\.4 cannot be pulled \(ErrImagePull: rpc error: pull access denied/],
    ['never-ready', /^kubernetes: 1 of 1 pods not ready after 2 s \(hydra-run1-pub: not scheduled: 0\/3 nodes are available: 3 Insufficient cpu\.\)$/],
  ] as const) {
    it(`says in one line when ${scenario}, and leaves no pod behind`, async () => {
      api.scenario = scenario;
      const l = launcher();
      await assert.rejects(l.launch('pub', 'pub'), (err: Error) => {
        assert.match(err.message, message);
        assert.equal(err.message.split('\n').length, 1);
        return true;
      });
      assert.equal(api.pods.size, 0, 'the pod that could not start was deleted');
      await l.removeAll();
      assert.equal(api.secrets.size, 0);
    });
  }
});
