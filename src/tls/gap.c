/* Bytes missing from the capture in one direction: skipped inside records
 * whose length is known, otherwise decoding resumes at the next segment that
 * starts a record. */
#include "base/mem.h"
#include "tls/internal.h"

#include "base/banned.h"

/* A gap inside a plaintext handshake record, within the handshake message
 * being collected: both lengths are known, so the record and the next
 * message still start where they should (Wireshark reads on the same way).
 * Only that message is lost. */
static bool gap_in_handshake_message(struct td_tls_conn *c, enum td_role from, uint64_t bytes, const char *why,
                                     const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    if (d->mode != TD_DIR_TLS || d->hdr_len != 5 || d->rec_encrypted || d->rec_type != TD_CT_HANDSHAKE ||
        d->rec_left < bytes || d->hs.len < 4 || d->hs_skip) {
        return false;
    }
    struct td_cur h;
    uint8_t type;
    uint32_t len;
    td_cur_init(&h, d->hs.data, d->hs.len);
    if (!td_cur_get_u8(&h, &type) || !td_cur_get_u24(&h, &len) || len > c->lim->hs_message_max) {
        return false;
    }
    uint64_t left = (uint64_t)len + 4 - d->hs.len; /* of this message, not yet seen */
    if (bytes > left) {
        return false; /* the gap reaches into the next message: its start is unknown */
    }
    struct td_msg *m = td_conn_add_msg(c, TD_M_GAP, from, at);
    if (m) {
        m->offset = d->offset;
        m->length = (uint32_t)bytes;
        td_conn_set_text(m,
                         "%llu bytes missing from the capture at stream offset %llu (%s); the handshake message of "
                         "type %u being read there is lost, the next one is read",
                         (unsigned long long)bytes, (unsigned long long)d->offset, why, type);
    }
    if (!c->complete) {
        c->gap_in_handshake = true;
        d->resync_skipped += d->hs.len;
    }
    d->hs_skip = (uint32_t)(left - bytes);
    d->hs_offset += d->hs.len + bytes + d->hs_skip;
    td_buf_reset(&d->hs);
    d->rec_left -= (uint32_t)bytes;
    d->offset += bytes;
    if (d->rec_left == 0) {
        d->hdr_len = 0;
        td_conn_end_record(c, from, at);
    }
    td_conn_check_settled(c);
    return true;
}

void td_tls_gap(struct td_tls_conn *c, enum td_role from, uint64_t bytes, const char *why, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    if (c->settled) {
        return;
    }
    c->gaps++;
    /* A gap inside a record we only skip (encrypted data) costs nothing:
     * the record boundary is still known. */
    if (d->mode == TD_DIR_TLS && d->hdr_len == 5 && d->rec_encrypted && d->rec_left >= bytes) {
        d->rec_left -= (uint32_t)bytes;
        d->offset += bytes;
        if (d->rec_left == 0) {
            d->hdr_len = 0;
            td_conn_end_record(c, from, at);
        }
        td_conn_check_settled(c);
        return;
    }
    if (d->mode == TD_DIR_PREAMBLE) {
        td_conn_pre_give_up(c, from, at); /* the next message boundary is lost */
    }
    if (d->mode == TD_DIR_OTHER) {
        d->offset += bytes;
        return;
    }
    if (gap_in_handshake_message(c, from, bytes, why, at)) {
        return;
    }
    /* TLS records resume at the next segment that starts one; the lost start
     * of a direction (DETECT) too, so that its middle is never taken for
     * plain text. */
    bool resync = d->mode == TD_DIR_TLS || d->mode == TD_DIR_DETECT || d->mode == TD_DIR_RESYNC;
    if (!c->complete) {
        c->gap_in_handshake = true;
        if (d->mode == TD_DIR_TLS) {
            /* the record (and handshake message) the gap cut: captured, never readable */
            d->resync_skipped += d->hdr_len + (d->hdr_len == 5 ? d->rec_len - d->rec_left : 0) + d->hs.len;
        }
    }
    bool quiet = d->mode == TD_DIR_RESYNC && c->last && c->last->kind == TD_M_GAP && c->last->from == from;
    struct td_msg *m = quiet ? c->last : td_conn_add_msg(c, TD_M_GAP, from, at);
    if (m && quiet) {
        uint64_t total = (uint64_t)m->length + bytes;
        m->length = (uint32_t)(total > UINT32_MAX ? UINT32_MAX : total);
        m->frame = at->frame;
    }
    if (m && !quiet) {
        m->offset = d->offset;
        m->length = (uint32_t)(bytes > UINT32_MAX ? UINT32_MAX : bytes);
        td_conn_set_text(m, "%llu bytes missing from the capture at stream offset %llu (%s); %s",
                         (unsigned long long)bytes, (unsigned long long)d->offset, why,
                         resync ? "decoding resumes at the next segment that starts a record"
                                : "the rest of this direction cannot be decoded");
    }
    d->offset += bytes;
    d->mode = resync ? TD_DIR_RESYNC : TD_DIR_DEAD;
    d->det_len = 0;
    d->hs_skip = 0;
    td_conn_check_settled(c);
}
