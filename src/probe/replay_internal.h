/* Inside tlsdiag probe --replay:
 *   replay_hello.c  the captured ClientHello read into its parts, and written back with one edit
 *   replay_keys.c   fresh randoms and key shares (libcrypto)
 *   replay_input.c  what a captured connection gives the replay
 *   replay_plan.c   the variants, in order, and what each proves
 *   replay.c        td_replay: the baseline, the variants, the verdict */
#ifndef TD_PROBE_REPLAY_INTERNAL_H
#define TD_PROBE_REPLAY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/mem.h"
#include "probe/replay.h"

#define TD_RH_MAX_EXTS 64
#define TD_RH_MAX_SUITES 512

struct td_rh_ext {
    uint16_t type;
    const uint8_t *p; /* into the captured bytes */
    size_t len;
};

/* A ClientHello read into its parts (pointing into the captured bytes). */
struct td_rh {
    uint16_t legacy_version;
    uint8_t session_id_len;
    uint16_t suites[TD_RH_MAX_SUITES];
    size_t num_suites;
    const uint8_t *comp;
    size_t comp_len;
    struct td_rh_ext exts[TD_RH_MAX_EXTS];
    size_t num_exts;
    bool has_exts_block;
};

/* One change to the captured hello (all zero: none). */
struct td_rh_edit {
    const char *add_sni;
    uint16_t version; /* offer this version too */
    uint16_t add_suite;
    uint16_t add_group; /* to supported_groups, with a key share when the hello has key_share */
    bool drop_pq;
    uint16_t drop_ext; /* with drop_ext_set */
    bool drop_ext_set;
    size_t pad_to; /* the handshake message padded to this many bytes (RFC 7685) */
};

/* replay_hello.c */
/* false with *err and *off (in the body) on a malformed hello. */
bool td_rh_parse(struct td_rh *h, const uint8_t *p, size_t n, const char **err, size_t *off);
const struct td_rh_ext *td_rh_find(const struct td_rh *h, uint16_t type);
/* The record to send: the captured hello with fresh random, session id and key
 * shares, and edit applied. notes (may be NULL) gets what could not be replayed. */
bool td_rh_build(const struct td_rh *h, const struct td_rh_edit *e, struct td_buf *out, char *notes, size_t notes_len);
/* The highest version the hello offers. */
uint16_t td_rh_max_version(const struct td_rh *h);
/* The groups of supported_groups (at most max). */
size_t td_rh_groups(const struct td_rh *h, uint16_t *out, size_t max);
bool td_rh_has_suite(const struct td_rh *h, uint16_t s);
bool td_group_is_pq(uint16_t g);

/* replay_keys.c */
void td_replay_random(uint8_t *p, size_t n);
/* A fresh public key share for group into out (at most max bytes): its length, 0 when not generated here. */
size_t td_replay_key_share(uint16_t group, uint8_t *out, size_t max);

/* replay_plan.c */
/* Appends the variants to r->v (after the baseline), given the hello and what is known. */
void td_replay_plan(struct td_replay_result *r, const struct td_rh *h, const struct td_replay_input *in,
                    const struct td_replay_hints *hints, const char *sni);
/* The edit a variant stands for. */
void td_replay_edit_of(const struct td_replay_variant *v, const char *sni, struct td_rh_edit *e);
/* The smallest fixes, when variant v is the proof. */
void td_replay_fixes(struct td_replay_result *r, const struct td_replay_variant *v, const struct td_rh *h,
                     const char *sni);

#endif
