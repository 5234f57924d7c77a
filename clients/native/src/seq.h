/* Which sequence numbers of one (publisher, partition) stream arrived: src/stats/sequence.ts in C. */
#ifndef HYDRA_SEQ_H
#define HYDRA_SEQ_H
#include <stdint.h>
#include "json.h"

typedef struct {
  uint8_t *bits;
  uint32_t bytes;
  double unique;
  double duplicates;
  double out_of_order;
  double max_seq;
} seq_t;

void seq_init(seq_t *s);
void seq_free(seq_t *s);
void seq_record(seq_t *s, uint32_t seq);
/* The runs [first, last] seen, as JSON `[[a,b],...]`, at most `max_runs`. */
void seq_runs_json(jbuf_t *b, const seq_t *s, int max_runs);

#endif
