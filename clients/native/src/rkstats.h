/*
 * librdkafka's statistics and throttle events as request telemetry, kept in C until JavaScript
 * drains them (once per getstats): src/client/librdkafka/statistics.ts reads the same fields from
 * the same JSON. Every interval librdkafka reports, per broker connection, that window's round
 * trips by their quantiles, its internal queue's latency and its request timeouts so far; only
 * brokers learned from metadata count (they carry Produce and Fetch requests).
 */
#ifndef HYDRA_RKSTATS_H
#define HYDRA_RKSTATS_H
#include <pthread.h>
#include <stddef.h>
#include "json.h"

/* One broker's window: cnt, p50, p75, p90, p95, p99, p99.99, max (µs), then the queue's longest wait (ms). */
#define RTT_FIELDS 9
typedef struct {
  double v[RTT_FIELDS];
} rtt_window_t;

typedef struct {
  char name[160];
  double timeouts_seen;
} broker_seen_t;

typedef struct {
  pthread_mutex_t mu;
  rtt_window_t *windows;
  int len, cap;
  /* Windows left off because nobody drained them (bounded memory). */
  double dropped;
  double new_timeouts;
  broker_seen_t *brokers;
  int nbrokers;
  double *throttles;
  int tlen, tcap;
} requests_t;

void requests_init(requests_t *r);
void requests_free(requests_t *r);
/* Reads one statistics JSON; a document it cannot read is ignored, as statistics.ts does. */
void requests_read_stats(requests_t *r, const char *json, size_t len);
void requests_throttle(requests_t *r, double ms);
/* {"windows":[[cnt,p50,p75,p90,p95,p99,p99_99,max,queue_max_ms],...],"timeouts":n,"throttles":[ms,...]}, and empties. */
void requests_drain_json(requests_t *r, jbuf_t *b);

#endif
