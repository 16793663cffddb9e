#include "capture/sigbus.h"

#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/mem.h"

#include "base/banned.h"

#define SLOTS 8

struct guard {
    _Atomic(uintptr_t) base; /* 0: a free slot */
    _Atomic(size_t) len;
    _Atomic(uintptr_t) lost; /* the first page lost, + 1 (0: none) */
};

static struct guard slots[SLOTS];
static struct sigaction before;
static long page_size;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    uintptr_t a = (uintptr_t)si->si_addr;
    for (int i = 0; i < SLOTS; i++) {
        uintptr_t b = atomic_load(&slots[i].base);
        if (b && a >= b && a - b < atomic_load(&slots[i].len)) {
            uintptr_t page = a & ~(uintptr_t)(page_size - 1);
            /* zeros where the file's page was: the access goes on */
            void *z = mmap((void *)page, (size_t)page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
            if (z != MAP_FAILED) {
                uintptr_t none = 0, lost = (page < b ? b : page) - b + 1;
                atomic_compare_exchange_strong(&slots[i].lost, &none, lost);
                return;
            }
            break;
        }
    }
    /* not ours (or no page to put there): as if the guard were not there
     * (a fault happens again on return; a signal sent is sent again) */
    sigaction(sig, &before, NULL);
    if (si->si_code <= 0) {
        raise(sig);
    }
}

int td_sigbus_guard(const uint8_t *base, size_t len)
{
    /* ours in front of whatever is there now (installed again if another
     * handler took the place since) */
    struct sigaction cur;
    if (sigaction(SIGBUS, NULL, &cur) != 0) {
        return -1;
    }
    if (!(cur.sa_flags & SA_SIGINFO) || cur.sa_sigaction != on_sigbus) {
        page_size = sysconf(_SC_PAGESIZE);
        struct sigaction sa;
        td_memzero(&sa, sizeof sa);
        sa.sa_sigaction = on_sigbus;
        sa.sa_flags = SA_SIGINFO | SA_NODEFER;
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGBUS, &sa, &before) != 0) {
            return -1;
        }
    }
    for (int i = 0; i < SLOTS; i++) {
        uintptr_t none = 0;
        if (atomic_load(&slots[i].base) == 0) {
            atomic_store(&slots[i].len, len);
            atomic_store(&slots[i].lost, 0);
            if (atomic_compare_exchange_strong(&slots[i].base, &none, (uintptr_t)base)) {
                return i;
            }
        }
    }
    return -1;
}

bool td_sigbus_hit(int slot, uint64_t *offset)
{
    uintptr_t lost = atomic_load(&slots[slot].lost);
    if (lost) {
        *offset = (uint64_t)(lost - 1);
    }
    return lost != 0;
}

void td_sigbus_unguard(int slot)
{
    if (slot >= 0 && slot < SLOTS) {
        atomic_store(&slots[slot].base, 0);
    }
}
