#include "books.h"

#include <stdlib.h>
#include <string.h>

void books_init(books_t *b, const acc_cfg_t *cfg, const timeline_cfg_t *timeline) {
  memset(b, 0, sizeof *b);
  acc_init(&b->acc, cfg, timeline);
  b->run_partition = -1;
}

void books_reset(books_t *b, const acc_cfg_t *cfg, const timeline_cfg_t *timeline) {
  acc_free(&b->acc);
  acc_init(&b->acc, cfg, timeline);
}

void books_free(books_t *b) {
  acc_free(&b->acc);
  free(b->next_offsets);
  b->next_offsets = NULL;
  b->next_len = 0;
}

void books_begin_read(books_t *b) { b->run_partition = -1; }

void books_message(books_t *b, const unsigned char *value, size_t len, double at_ms, int partition, int64_t offset) {
  acc_receive(&b->acc, value, len, at_ms, partition);
  if (partition < 0) return;
  if (partition >= b->next_len) {
    int n = partition + 1;
    b->next_offsets = realloc(b->next_offsets, (size_t)n * sizeof(int64_t));
    for (int i = b->next_len; i < n; i++) b->next_offsets[i] = -1;
    b->next_len = n;
  }
  int64_t *next = &b->next_offsets[partition];
  /* A run starting past the last position: the consumer was moved over messages it never got. */
  if (partition != b->run_partition && *next >= 0 && offset > *next) b->acc.skipped += (double)(offset - *next);
  b->run_partition = partition;
  if (offset + 1 > *next) *next = offset + 1;
}

void books_json(jbuf_t *out, const books_t *b) {
  acc_json(out, &b->acc);
  /* Reopen the object for the positions. */
  out->data[--out->len] = '\0';
  jb_raw(out, ",\"next_offsets\":{");
  int first = 1;
  for (int i = 0; i < b->next_len; i++) {
    if (b->next_offsets[i] < 0) continue;
    if (!first) jb_char(out, ',');
    first = 0;
    jb_char(out, '"');
    jb_int(out, i);
    jb_raw(out, "\":");
    jb_int(out, (long long)b->next_offsets[i]);
  }
  jb_raw(out, "}}");
}
