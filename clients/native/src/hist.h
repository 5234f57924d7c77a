/*
 * The latency histogram of src/stats/histogram.ts, bucket for bucket: exact below 64 µs, then 32
 * buckets per power of two. Counts are doubles, as there, so merged figures agree to the unit.
 */
#ifndef HYDRA_HIST_H
#define HYDRA_HIST_H
#include "json.h"

#define HIST_LINEAR 64
#define HIST_SUB_BITS 5
#define HIST_SUB 32
#define HIST_DENSE (HIST_LINEAR + (32 - 6) * HIST_SUB)

typedef struct {
  double *counts;
  int cap;
  double count;
  double sum;
  double min;
  double max;
  double negative;
} hist_t;

void hist_init(hist_t *h);
void hist_free(hist_t *h);
void hist_reset(hist_t *h);
int hist_index(double value_us);
void hist_record_many(hist_t *h, double value_us, double count);
static inline void hist_record(hist_t *h, double value_us) { hist_record_many(h, value_us, 1); }
/* Adds `from` into `into`. */
void hist_merge(hist_t *into, const hist_t *from);
/* {"buckets":{...},"count":..,"sum_us":..,"min_us":..,"max_us":..,"negative":..} */
void hist_json(jbuf_t *b, const hist_t *h);

#endif
