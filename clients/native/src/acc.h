/*
 * One client's receive bookkeeping for one point (src/apps/receive.ts and timeline.ts in C): counts,
 * sequences per (publisher, partition), latency from the actual and the intended send time, and on
 * a point with planned faults its receive timeline. Touches no memory per message beyond a new
 * bucket or a longer bitmap.
 */
#ifndef HYDRA_ACC_H
#define HYDRA_ACC_H
#include <stddef.h>
#include <stdint.h>
#include "hist.h"
#include "json.h"
#include "seq.h"

typedef struct {
  double t0_ms;
  int epoch;
  int pub_count;
  /* Per publisher id, ms taken out of a latency; NULL: none. */
  double *corrections;
  int corrections_len;
} acc_cfg_t;

typedef struct {
  double start_ms, bucket_ms, from_ms, to_ms;
} timeline_cfg_t;

typedef struct {
  double *counts;
  double *max_latency; /* NaN: no message in the bucket */
  int len;
  int cap;
  double last_at;
  int has_last;
  double longest_gap;
  double gap_from;
  int has_gap_from;
  hist_t before, during, after;
  timeline_cfg_t cfg;
} timeline_t;

typedef struct {
  seq_t *by_partition; /* indexed by partition */
  int len;
} pub_seqs_t;

typedef struct {
  acc_cfg_t cfg;
  double msg_cnt;
  double first_ms, last_ms;
  int has_first;
  double malformed, stale, skipped;
  pub_seqs_t *seqs; /* indexed by publisher id */
  int seqs_len;
  hist_t latency;
  hist_t latency_intended;
  timeline_t *timeline; /* NULL when the point has no planned faults */
} acc_t;

/* `corrections` is copied. */
void acc_init(acc_t *a, const acc_cfg_t *cfg, const timeline_cfg_t *timeline);
void acc_free(acc_t *a);
void acc_receive(acc_t *a, const unsigned char *value, size_t len, double at_ms, int partition);

typedef struct {
  double unique, duplicates, out_of_order, max_seq, gaps;
} seq_summary_t;
seq_summary_t acc_sequence_summary(const acc_t *a);

/* The point's bookkeeping as JSON: the fields of src/apps/receive.ts's BooksSnapshot but next_offsets. */
void acc_json(jbuf_t *b, const acc_t *a);

#endif
