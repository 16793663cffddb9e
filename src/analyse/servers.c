#include "analyse/servers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "base/mem.h"

#include "base/banned.h"

struct td_server_stat *td_servers_get(struct td_server_table *t, const char *name)
{
    struct td_server_node **slot = &t->buckets[td_hash32_str(name) % TD_SERVER_BUCKETS];
    for (struct td_server_node *s = *slot; s; s = s->next) {
        if (strcmp(s->s.name, name) == 0) {
            return &s->s;
        }
    }
    if (t->num >= TD_ANALYSIS_MAX_SERVERS) {
        return NULL;
    }
    struct td_server_node *s = td_calloc(1, sizeof *s);
    td_strcopy(s->s.name, sizeof s->s.name, name);
    s->next = *slot;
    *slot = s;
    t->num++;
    return &s->s;
}

const struct td_server_stat **td_servers_list(const struct td_server_table *t, size_t *n)
{
    const struct td_server_stat **out = td_calloc(t->num + 1, sizeof *out);
    size_t k = 0;
    for (size_t i = 0; i < TD_SERVER_BUCKETS; i++) {
        for (const struct td_server_node *s = t->buckets[i]; s; s = s->next) {
            out[k++] = &s->s;
        }
    }
    *n = k;
    return out;
}

void td_servers_clear(struct td_server_table *t)
{
    for (size_t i = 0; i < TD_SERVER_BUCKETS; i++) {
        struct td_server_node *s = t->buckets[i], *next;
        for (; s; s = next) {
            next = s->next;
            free(s);
        }
        t->buckets[i] = NULL;
    }
    t->num = 0;
}
