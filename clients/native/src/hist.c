#include "hist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void hist_init(hist_t *h) {
  h->cap = HIST_DENSE;
  h->counts = calloc((size_t)h->cap, sizeof(double));
  h->count = 0;
  h->sum = 0;
  h->min = INFINITY;
  h->max = -INFINITY;
  h->negative = 0;
}

void hist_free(hist_t *h) {
  free(h->counts);
  h->counts = NULL;
}

void hist_reset(hist_t *h) {
  memset(h->counts, 0, (size_t)h->cap * sizeof(double));
  h->count = 0;
  h->sum = 0;
  h->min = INFINITY;
  h->max = -INFINITY;
  h->negative = 0;
}

int hist_index(double value_us) {
  double f = floor(value_us > 0 ? value_us : 0);
  if (f < HIST_LINEAR) return (int)f;
  unsigned long long v = (unsigned long long)f;
  int exp = 63 - __builtin_clzll(v);
  int sub = (int)(v >> (exp - HIST_SUB_BITS)) - HIST_SUB;
  return HIST_LINEAR + (exp - 6) * HIST_SUB + sub;
}

static void grow(hist_t *h, int idx) {
  int cap = idx + HIST_SUB;
  h->counts = realloc(h->counts, (size_t)cap * sizeof(double));
  memset(h->counts + h->cap, 0, (size_t)(cap - h->cap) * sizeof(double));
  h->cap = cap;
}

void hist_record_many(hist_t *h, double value_us, double count) {
  if (count <= 0) return;
  if (value_us < 0) {
    h->negative += count;
    value_us = 0;
  }
  int idx = hist_index(value_us);
  if (idx >= h->cap) grow(h, idx);
  h->counts[idx] += count;
  h->count += count;
  h->sum += value_us * count;
  if (value_us < h->min) h->min = value_us;
  if (value_us > h->max) h->max = value_us;
}

void hist_merge(hist_t *into, const hist_t *from) {
  if (from->cap > into->cap) grow(into, from->cap - HIST_SUB);
  for (int i = 0; i < from->cap; i++) into->counts[i] += from->counts[i];
  into->count += from->count;
  into->sum += from->sum;
  into->negative += from->negative;
  if (from->count > 0) {
    if (from->min < into->min) into->min = from->min;
    if (from->max > into->max) into->max = from->max;
  }
}

void hist_json(jbuf_t *b, const hist_t *h) {
  jb_raw(b, "{\"buckets\":{");
  int first = 1;
  for (int i = 0; i < h->cap; i++) {
    if (h->counts[i] <= 0) continue;
    if (!first) jb_char(b, ',');
    first = 0;
    jb_char(b, '"');
    jb_int(b, i);
    jb_raw(b, "\":");
    jb_num(b, h->counts[i]);
  }
  jb_raw(b, "},\"count\":");
  jb_num(b, h->count);
  jb_raw(b, ",\"sum_us\":");
  jb_num(b, h->sum);
  jb_raw(b, ",\"min_us\":");
  if (h->count > 0) jb_num(b, h->min); else jb_raw(b, "null");
  jb_raw(b, ",\"max_us\":");
  if (h->count > 0) jb_num(b, h->max); else jb_raw(b, "null");
  jb_raw(b, ",\"negative\":");
  jb_num(b, h->negative);
  jb_char(b, '}');
}
