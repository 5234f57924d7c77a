import type { PubStats } from '../control/wire';
import type { AppHandle } from '../launch';
import type { SubAppReport } from '../stats/result';
import type { AppFate } from './point-runner';

/** What collecting a sub app's statistics came to: its report and how it fared. */
export interface Collected {
  report: SubAppReport;
  fate: AppFate;
}

/**
 * The harness faults of a point that ran to the end, each in one line naming the app: sub apps
 * that died or stopped answering (their clients are left out of every figure), publisher send
 * errors, hydra's own consumers rebalancing a shared group inside the window (a message can then
 * reach two members), and apps that stood still unscheduled (the verdict's stalled_apps). Any of
 * them makes the point's figures not Kafka's: the point is invalid. A planned fault's own doing is
 * not among them (see `planned`). Pure.
 */
export function sortFaults(input: {
  collected: readonly Collected[];
  pubs: readonly AppHandle[];
  pubStats: readonly PubStats[];
  /** The shared group's name, when the point's clients share one. */
  sharedGroup: string | null;
  stalledApps: readonly string[];
  /**
   * What the point's planned faults may cause (an app they killed is never a fault): publisher send
   * errors (a fault on the broker side: broker=stop, a command, a publisher frozen) and a shared
   * group's rebalance (a sub app frozen or killed, the broker stopped, a command) are then what the
   * fault did to Kafka's clients, measured in its figures.
   */
  planned?: { sendErrors: boolean; rebalance: boolean };
}): string[] {
  const faults: string[] = [];
  for (const { fate } of input.collected) {
    if (fate.status === 'died') faults.push(`sub app ${fate.name} (pid ${fate.pid ?? '?'}) died during the point`);
    else if (fate.status === 'unresponsive') faults.push(`sub app ${fate.name} (pid ${fate.pid ?? '?'}) stopped answering (frozen or overloaded)`);
  }
  input.pubStats.forEach((p, i) => {
    if (p.send_errors > 0 && !input.planned?.sendErrors)
      faults.push(
        `${input.pubs.length > 1 ? (input.pubs[i]?.name ?? `pub ${i}`) : 'publisher'} send errors: ${p.send_errors} messages not acknowledged (${p.last_error ?? 'no error text'})`,
      );
  });
  if (input.sharedGroup !== null && !input.planned?.rebalance) {
    const rejoined = input.collected.flatMap((c) => (c.report.clients ?? []).filter((client) => (client.rejoins ?? 0) > 0).map((client) => client.client_id));
    if (rejoined.length > 0)
      faults.push(`shared group ${input.sharedGroup} rebalanced during the point (members joined again: ${rejoined.slice(0, 5).join(', ')})`);
  }
  faults.push(...input.stalledApps);
  return faults;
}
