#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/mem.h"
#include "capture/writer.h"

#include "base/banned.h"

struct td_pcapw {
    pcap_t *p;
    pcap_dumper_t *d;
};

struct td_pcapw *td_pcapw_open(const char *path, char *err, size_t err_len)
{
    pcap_t *p = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 262144, PCAP_TSTAMP_PRECISION_NANO);
    if (!p) {
        snprintf(err, err_len, "%s: libpcap cannot open a capture for writing", path);
        return NULL;
    }
    pcap_dumper_t *d = pcap_dump_open(p, path);
    if (!d) {
        td_strcopy(err, err_len, pcap_geterr(p));
        pcap_close(p);
        return NULL;
    }
    struct td_pcapw *w = td_calloc(1, sizeof *w);
    w->p = p;
    w->d = d;
    return w;
}

void td_pcapw_write(struct td_pcapw *w, const struct td_time *ts, const uint8_t *frame, size_t len)
{
    struct pcap_pkthdr h;
    td_memzero(&h, sizeof h);
    h.ts.tv_sec = (time_t)ts->sec;
    h.ts.tv_usec = (suseconds_t)ts->nsec; /* nanoseconds: the file says so */
    h.caplen = h.len = (bpf_u_int32)len;
    pcap_dump((u_char *)w->d, &h, frame);
}

bool td_pcapw_close(struct td_pcapw *w, char *err, size_t err_len)
{
    if (!w) {
        return true;
    }
    bool ok = pcap_dump_flush(w->d) == 0;
    if (!ok) {
        snprintf(err, err_len, "cannot write the capture: %s", pcap_geterr(w->p));
    }
    pcap_dump_close(w->d);
    pcap_close(w->p);
    free(w);
    return ok;
}
