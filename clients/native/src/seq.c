#include "seq.h"

#include <stdlib.h>
#include <string.h>

void seq_init(seq_t *s) {
  s->bytes = 1024;
  s->bits = calloc(s->bytes, 1);
  s->unique = s->duplicates = s->out_of_order = 0;
  s->max_seq = -1;
}

void seq_free(seq_t *s) {
  free(s->bits);
  s->bits = NULL;
}

void seq_record(seq_t *s, uint32_t seq) {
  uint32_t byte = seq >> 3;
  if (byte >= s->bytes) {
    uint32_t size = s->bytes;
    while (size <= byte) size *= 2;
    s->bits = realloc(s->bits, size);
    memset(s->bits + s->bytes, 0, size - s->bytes);
    s->bytes = size;
  }
  uint8_t mask = (uint8_t)(1u << (seq & 7));
  if (s->bits[byte] & mask) {
    s->duplicates++;
    return;
  }
  s->bits[byte] |= mask;
  s->unique++;
  if ((double)seq < s->max_seq) s->out_of_order++;
  else s->max_seq = (double)seq;
}

void seq_runs_json(jbuf_t *b, const seq_t *s, int max_runs) {
  jb_char(b, '[');
  long long from = -1;
  int runs = 0;
  long long max = (long long)s->max_seq;
  for (long long seq = 0; seq <= max + 1; seq++) {
    int seen = seq <= max && (s->bits[seq >> 3] & (1u << (seq & 7))) != 0;
    if (seen && from < 0) from = seq;
    else if (!seen && from >= 0) {
      if (runs > 0) jb_char(b, ',');
      jb_char(b, '[');
      jb_int(b, from);
      jb_char(b, ',');
      jb_int(b, seq - 1);
      jb_char(b, ']');
      from = -1;
      if (++runs >= max_runs) break;
    }
  }
  jb_char(b, ']');
}
