/*
 * One consumer's books: the point's receive bookkeeping (acc.h) and, kept across points, each
 * partition's next offset, from which a jump of the consumer's position over messages it never got
 * is counted (src/apps/sub.ts does the same per batch of one partition).
 */
#ifndef HYDRA_BOOKS_H
#define HYDRA_BOOKS_H
#include <stdint.h>
#include "acc.h"

typedef struct {
  acc_t acc;
  /* Per partition, the offset after the last message received; -1: none yet. */
  int64_t *next_offsets;
  int next_len;
  /* The partition of the run of messages being read: a run's first message is where a jump shows. */
  int run_partition;
} books_t;

void books_init(books_t *b, const acc_cfg_t *cfg, const timeline_cfg_t *timeline);
/* A new point (or its statistics reset): the bookkeeping starts again, the positions stay. */
void books_reset(books_t *b, const acc_cfg_t *cfg, const timeline_cfg_t *timeline);
void books_free(books_t *b);
/* Messages read together: the next message starts a run. */
void books_begin_read(books_t *b);
void books_message(books_t *b, const unsigned char *value, size_t len, double at_ms, int partition, int64_t offset);
/* The snapshot as src/apps/receive.ts's BooksSnapshot. */
void books_json(jbuf_t *out, const books_t *b);

#endif
