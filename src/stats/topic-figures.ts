import { mean } from 'simple-statistics';

/**
 * A point of several topics (`--topics`): each client reads one topic and is judged against what
 * its topic was sent, so the point's figures split by topic. What each topic's figures are, and how
 * the point says the clients spread over the topics.
 */

/** What the per-topic figures read of a client (a shared group counts as one, of its topic). */
export interface TopicClient {
  /** Index of the topic it reads; absent: the first. */
  topic?: number;
  msg_cnt: number;
  duplicates: number;
}

/** One topic's figures in a point of several topics. */
export interface TopicFigures {
  topic: string;
  /** Clients reading it (a shared group counts its members). */
  clients: number;
  /** Messages the publishers got acknowledged to it. */
  packet_tx: number;
  /** Mean received per client (per group for a shared one). */
  average_packets: number;
  average_packet_loss: number;
  failing_clients: number;
  lost_total: number;
  behind_total: number | null;
  duplicated_total: number;
}

/** Where a topic's partition logs started before publishing and start and end at collection (ResultContext's fields, per topic). */
export interface TopicLog {
  end?: Record<string, number>;
  first?: Record<string, number>;
  start?: Record<string, number>;
}

/** HYDRA's loss, (sent − mean received) / sent, over `group`, each client against its own topic's sent count (`expectedOf`). */
export function topicLossPct<C extends TopicClient>(group: readonly C[], expectedOf: (c: C) => number): number {
  const expected = group.reduce((n, c) => n + expectedOf(c), 0);
  return expected > 0 ? ((expected - group.reduce((n, c) => n + c.msg_cnt, 0)) * 100) / expected : 0;
}

/**
 * Each topic's figures: its clients (`clients`, a shared group as one; `members` counts each
 * member), what it was sent (`sent`, by topic index), and the client figures the point computed
 * (`behindOf` null: the logs' ends are unknown).
 */
export function topicFigures<C extends TopicClient>(
  clients: readonly C[],
  members: readonly TopicClient[],
  sent: readonly number[],
  names: readonly string[],
  figures: { lostOf: (c: C) => number; behindOf: ((c: C) => number) | null },
): TopicFigures[] {
  return sent.map((packetTx, t) => {
    const own = clients.filter((c) => (c.topic ?? 0) === t);
    const behindOf = figures.behindOf;
    return {
      topic: names[t] ?? `t${t}`,
      clients: members.filter((c) => (c.topic ?? 0) === t).length,
      packet_tx: packetTx,
      average_packets: own.length ? mean(own.map((c) => c.msg_cnt)) : 0,
      average_packet_loss: topicLossPct(own, () => packetTx),
      failing_clients: own.filter((c) => c.msg_cnt !== packetTx).length,
      lost_total: own.reduce((n, c) => n + figures.lostOf(c), 0),
      behind_total: behindOf ? own.reduce((n, c) => n + behindOf(c), 0) : null,
      duplicated_total: own.reduce((n, c) => n + c.duplicates, 0),
    };
  });
}

/**
 * How a point of several topics reads: each client gets its topic's share of the rate, and how
 * the clients spread over the topics (uneven when the count does not divide: the larger share named).
 */
export function topicSpreadNote(members: readonly Pick<TopicClient, 'topic'>[], topics: number, txRate: number): string {
  const per = Array.from({ length: topics }, (_, t) => members.filter((c) => (c.topic ?? 0) === t).length);
  const low = Math.min(...per);
  const high = Math.max(...per);
  const spread =
    low === high
      ? `${low} clients per topic`
      : `${plural(per.filter((n) => n === high).length, 'topic')} with ${high} clients, ${per.filter((n) => n === low).length} with ${low}`;
  return `${topics} topics (${spread}): each client reads one topic, about 1/${topics} of the Tx rate (${Math.round(txRate / topics)} msg/s); loss and failing clients are against its topic's messages`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
