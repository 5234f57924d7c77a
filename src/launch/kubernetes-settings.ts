import type { HydraOptions } from '../config/options';

/** `[kubernetes]` of hydra.ini. */
export interface KubernetesSettings {
  namespace: string;
  image: string;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  /** Resource quantities ('' = none): cpu_request, cpu_limit, memory_request, memory_limit. */
  resources: { cpuRequest: string; cpuLimit: string; memoryRequest: string; memoryLimit: string };
  nodeSelector: Record<string, string>;
  /** `key=value:Effect` or `key:Effect` (operator Exists). */
  tolerations: string[];
  /** kubeconfig file ('' = the usual places: $KUBECONFIG, ~/.kube/config, or the in-cluster service account). */
  kubeconfig: string;
  /** Pods created per batch (HYDRA used 300 to spare the API server). */
  batchSize: number;
  /** Port every app's control server listens on inside its pod. */
  controlPort: number;
  /** How long a batch of pods may take to become ready, ms. */
  readyTimeoutMs: number;
  /** How often pod status is read while waiting, ms. */
  pollMs?: number;
}

/** The [kubernetes] options as the launcher takes them. */
export function kubernetesSettings(o: Pick<HydraOptions, `k8s_${string}` & keyof HydraOptions>): KubernetesSettings {
  return {
    namespace: o.k8s_namespace,
    image: o.k8s_image,
    imagePullPolicy: o.k8s_image_pull_policy,
    resources: { cpuRequest: o.k8s_cpu_request, cpuLimit: o.k8s_cpu_limit, memoryRequest: o.k8s_memory_request, memoryLimit: o.k8s_memory_limit },
    nodeSelector: Object.fromEntries(o.k8s_node_selector.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])),
    tolerations: o.k8s_tolerations,
    kubeconfig: o.k8s_kubeconfig,
    batchSize: o.k8s_batch_size,
    controlPort: o.k8s_control_port,
    readyTimeoutMs: o.k8s_ready_timeout * 1000,
  };
}
