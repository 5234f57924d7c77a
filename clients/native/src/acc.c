#include "acc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "wire.h"

/* Most buckets a timeline keeps (an hour at 100 ms). */
#define TIMELINE_MAX_BUCKETS 36000

static timeline_t *timeline_new(const timeline_cfg_t *cfg) {
  timeline_t *t = calloc(1, sizeof *t);
  t->cfg = *cfg;
  hist_init(&t->before);
  hist_init(&t->during);
  hist_init(&t->after);
  return t;
}

static void timeline_free(timeline_t *t) {
  if (!t) return;
  free(t->counts);
  free(t->max_latency);
  hist_free(&t->before);
  hist_free(&t->during);
  hist_free(&t->after);
  free(t);
}

static void timeline_record(timeline_t *t, double at_ms, double latency_ms, double sent_ms) {
  double bucket_f = floor((at_ms - t->cfg.start_ms) / t->cfg.bucket_ms);
  if (bucket_f >= 0 && bucket_f < TIMELINE_MAX_BUCKETS) {
    int bucket = (int)bucket_f;
    if (bucket >= t->cap) {
      int cap = t->cap ? t->cap : 64;
      while (cap <= bucket) cap *= 2;
      t->counts = realloc(t->counts, (size_t)cap * sizeof(double));
      t->max_latency = realloc(t->max_latency, (size_t)cap * sizeof(double));
      t->cap = cap;
    }
    while (t->len <= bucket) {
      t->counts[t->len] = 0;
      t->max_latency[t->len] = NAN;
      t->len++;
    }
    t->counts[bucket] += 1;
    if (isnan(t->max_latency[bucket]) || latency_ms > t->max_latency[bucket]) t->max_latency[bucket] = latency_ms;
  }
  if (t->has_last && at_ms - t->last_at > t->longest_gap) {
    t->longest_gap = at_ms - t->last_at;
    t->gap_from = t->last_at;
    t->has_gap_from = 1;
  }
  t->last_at = at_ms;
  t->has_last = 1;
  /* By send time: a message sent during the fault and received after it is the fault's latency. */
  hist_t *phase = sent_ms < t->cfg.from_ms ? &t->before : sent_ms < t->cfg.to_ms ? &t->during : &t->after;
  hist_record(phase, latency_ms * 1000);
}

void acc_init(acc_t *a, const acc_cfg_t *cfg, const timeline_cfg_t *timeline) {
  memset(a, 0, sizeof *a);
  a->cfg = *cfg;
  if (cfg->corrections_len > 0) {
    a->cfg.corrections = malloc((size_t)cfg->corrections_len * sizeof(double));
    memcpy(a->cfg.corrections, cfg->corrections, (size_t)cfg->corrections_len * sizeof(double));
  } else {
    a->cfg.corrections = NULL;
  }
  hist_init(&a->latency);
  hist_init(&a->latency_intended);
  a->timeline = timeline ? timeline_new(timeline) : NULL;
}

void acc_free(acc_t *a) {
  for (int p = 0; p < a->seqs_len; p++) {
    for (int i = 0; i < a->seqs[p].len; i++)
      if (a->seqs[p].by_partition[i].bits) seq_free(&a->seqs[p].by_partition[i]);
    free(a->seqs[p].by_partition);
  }
  free(a->seqs);
  free(a->cfg.corrections);
  hist_free(&a->latency);
  hist_free(&a->latency_intended);
  timeline_free(a->timeline);
  memset(a, 0, sizeof *a);
}

static seq_t *tracker(acc_t *a, int pub, int partition) {
  if (pub >= a->seqs_len) {
    int len = pub + 1;
    a->seqs = realloc(a->seqs, (size_t)len * sizeof(pub_seqs_t));
    memset(a->seqs + a->seqs_len, 0, (size_t)(len - a->seqs_len) * sizeof(pub_seqs_t));
    a->seqs_len = len;
  }
  pub_seqs_t *ps = &a->seqs[pub];
  if (partition >= ps->len) {
    int len = partition + 1;
    ps->by_partition = realloc(ps->by_partition, (size_t)len * sizeof(seq_t));
    memset(ps->by_partition + ps->len, 0, (size_t)(len - ps->len) * sizeof(seq_t));
    ps->len = len;
  }
  seq_t *s = &ps->by_partition[partition];
  if (!s->bits) seq_init(s);
  return s;
}

void acc_receive(acc_t *a, const unsigned char *value, size_t len, double at_ms, int partition) {
  int valid = value != NULL && len >= MESSAGE_SIZE;
  if (valid && rd_u16(value + 6) != a->cfg.epoch) {
    a->stale++;
    return;
  }
  a->msg_cnt++;
  if (!a->has_first) {
    a->first_ms = at_ms;
    a->has_first = 1;
  }
  a->last_ms = at_ms;
  int pub = valid ? rd_u16(value + 4) : -1;
  if (!valid || pub >= a->cfg.pub_count || partition < 0) {
    a->malformed++;
    return;
  }
  seq_record(tracker(a, pub, partition), rd_u32(value));
  /* The publisher's clock and this app's differ by the estimated offsets: taken out here. */
  double correction = pub < a->cfg.corrections_len ? a->cfg.corrections[pub] : 0;
  double intended_ms = (a->cfg.t0_ms + ((double)rd_u32(value + 8) * TIME_UNIT_US) / 1000) + correction;
  double latency_ms = at_ms - intended_ms - (double)rd_u32(value + 12) / 1000;
  hist_record(&a->latency, latency_ms * 1000);
  if (a->timeline) timeline_record(a->timeline, at_ms, latency_ms, intended_ms);
  hist_record(&a->latency_intended, (at_ms - intended_ms) * 1000);
}

seq_summary_t acc_sequence_summary(const acc_t *a) {
  seq_summary_t t = {0, 0, 0, -1, 0};
  for (int p = 0; p < a->seqs_len; p++)
    for (int i = 0; i < a->seqs[p].len; i++) {
      const seq_t *s = &a->seqs[p].by_partition[i];
      if (!s->bits) continue;
      t.unique += s->unique;
      t.duplicates += s->duplicates;
      t.out_of_order += s->out_of_order;
      t.gaps += s->max_seq + 1 - s->unique;
      if (s->max_seq > t.max_seq) t.max_seq = s->max_seq;
    }
  return t;
}

static void received_json(jbuf_t *b, const acc_t *a) {
  jb_char(b, '[');
  int first = 1;
  for (int p = 0; p < a->seqs_len; p++)
    for (int i = 0; i < a->seqs[p].len; i++) {
      const seq_t *s = &a->seqs[p].by_partition[i];
      if (!s->bits) continue;
      if (!first) jb_char(b, ',');
      first = 0;
      jb_raw(b, "{\"pub\":");
      jb_int(b, p);
      jb_raw(b, ",\"partition\":");
      jb_int(b, i);
      jb_raw(b, ",\"runs\":");
      seq_runs_json(b, s, 10000);
      jb_char(b, '}');
    }
  jb_char(b, ']');
}

static void timeline_json(jbuf_t *b, const acc_t *a) {
  const timeline_t *t = a->timeline;
  jb_raw(b, "{\"start_ms\":");
  jb_num(b, t->cfg.start_ms);
  jb_raw(b, ",\"bucket_ms\":");
  jb_num(b, t->cfg.bucket_ms);
  jb_raw(b, ",\"from_ms\":");
  jb_num(b, t->cfg.from_ms);
  jb_raw(b, ",\"to_ms\":");
  jb_num(b, t->cfg.to_ms);
  jb_raw(b, ",\"counts\":[");
  for (int i = 0; i < t->len; i++) {
    if (i) jb_char(b, ',');
    jb_num(b, t->counts[i]);
  }
  jb_raw(b, "],\"max_latency_ms\":[");
  for (int i = 0; i < t->len; i++) {
    if (i) jb_char(b, ',');
    if (isnan(t->max_latency[i]))
      jb_raw(b, "null");
    else
      jb_num(b, js_round(t->max_latency[i] * 10) / 10);
  }
  jb_raw(b, "],\"longest_gap_ms\":");
  jb_num(b, t->longest_gap);
  jb_raw(b, ",\"gap_from_ms\":");
  if (t->has_gap_from)
    jb_num(b, t->gap_from);
  else
    jb_raw(b, "null");
  jb_raw(b, ",\"latency_before\":");
  hist_json(b, &t->before);
  jb_raw(b, ",\"latency_during\":");
  hist_json(b, &t->during);
  jb_raw(b, ",\"latency_after\":");
  hist_json(b, &t->after);
  jb_raw(b, ",\"received\":");
  received_json(b, a);
  jb_char(b, '}');
}

void acc_json(jbuf_t *b, const acc_t *a) {
  seq_summary_t s = acc_sequence_summary(a);
  jb_raw(b, "{\"msg_cnt\":");
  jb_num(b, a->msg_cnt);
  jb_raw(b, ",\"first_ms\":");
  if (a->has_first)
    jb_num(b, a->first_ms);
  else
    jb_raw(b, "null");
  jb_raw(b, ",\"last_ms\":");
  if (a->has_first)
    jb_num(b, a->last_ms);
  else
    jb_raw(b, "null");
  jb_raw(b, ",\"sequences\":{\"unique\":");
  jb_num(b, s.unique);
  jb_raw(b, ",\"duplicates\":");
  jb_num(b, s.duplicates);
  jb_raw(b, ",\"out_of_order\":");
  jb_num(b, s.out_of_order);
  jb_raw(b, ",\"max_seq\":");
  jb_num(b, s.max_seq);
  jb_raw(b, ",\"gaps\":");
  jb_num(b, s.gaps);
  jb_raw(b, "},\"latency\":");
  hist_json(b, &a->latency);
  jb_raw(b, ",\"latency_intended\":");
  hist_json(b, &a->latency_intended);
  jb_raw(b, ",\"stale\":");
  jb_num(b, a->stale);
  jb_raw(b, ",\"skipped\":");
  jb_num(b, a->skipped);
  jb_raw(b, ",\"malformed\":");
  jb_num(b, a->malformed);
  jb_raw(b, ",\"timeline\":");
  if (a->timeline)
    timeline_json(b, a);
  else
    jb_raw(b, "null");
  jb_char(b, '}');
}
