/* A growable text buffer for the JSON hydra's native core hands to JavaScript once per snapshot. */
#ifndef HYDRA_JSON_H
#define HYDRA_JSON_H
#include <stddef.h>

typedef struct {
  char *data;
  size_t len;
  size_t cap;
} jbuf_t;

void jb_init(jbuf_t *b);
void jb_free(jbuf_t *b);
void jb_raw(jbuf_t *b, const char *text);
void jb_char(jbuf_t *b, char c);
/* A number as JavaScript's JSON.stringify would parse back to the same double; null when not finite. */
void jb_num(jbuf_t *b, double v);
void jb_int(jbuf_t *b, long long v);
/* A string, quoted and escaped. */
void jb_str(jbuf_t *b, const char *s);
/* `"key":` */
void jb_key(jbuf_t *b, const char *key);

#endif
