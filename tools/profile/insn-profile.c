/*
 * insn-profile: a QEMU TCG plugin (plugin API version 1, QEMU 7.2) that
 * counts the guest instructions executed at each address inside a window,
 * and writes the counts to a file when QEMU exits. tools/profile.sh builds
 * it, runs the benchmarks under it and turns the file into a table of
 * functions; docs/development/profiling.md explains both.
 *
 *   -plugin libinsn-profile.so,out=FILE[,window=KIND][,select=FIRST-LAST]
 *
 * window=rdtsc (the default) opens a window at one rdtsc executed below the
 * kernel's half of the address space and closes it at the next: the
 * benchmark program reads the counter just before and just after each
 * measured loop, and no other user code reads it, so the windows are
 * exactly the measured loops, in the order they run. window=markers opens
 * at `xchg %bx,%bx` and closes at `xchg %cx,%cx` (no-ops that compilers do
 * not emit), for a program that brackets code itself. window=all counts
 * from reset to exit. The opening and closing instructions are not
 * counted. select=FIRST-LAST counts only windows FIRST to LAST (from 1);
 * every window's total is reported either way.
 *
 * Every instruction gets an execution callback that adds one to its own
 * counter while the window is open. A callback per instruction, not per
 * block, keeps the count exact when a block is left half way: an I/O
 * access in the middle of a block under -icount, or a fault.
 *
 * Counters belong to a block record keyed by the block's address *and* its
 * bytes: two processes run different code at the same user address, and
 * the bytes let tools/profile.sh tell which binary ran. A block translated
 * again (after a TLB or code flush) finds its record and adds to it.
 *
 * The output is text: a header of `key value` lines, then one line per
 * block with a counted instruction:
 *   block VADDR HEXBYTES SIZE,SIZE,... COUNT,COUNT,...
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static const uint8_t OPEN_MARKER[] = {0x66, 0x87, 0xdb};  /* xchg %bx,%bx */
static const uint8_t CLOSE_MARKER[] = {0x66, 0x87, 0xc9}; /* xchg %cx,%cx */
static const uint8_t RDTSC[] = {0x0f, 0x31};

/* Canonical x86-64 addresses from here up are the kernel's. */
#define KERNEL_HALF 0xffff800000000000ull

enum window_kind { WINDOW_RDTSC, WINDOW_MARKERS, WINDOW_ALL };

struct block {
    uint64_t vaddr;
    uint64_t hash;
    size_t n_bytes;
    size_t n_insns;
    uint8_t *bytes;
    uint8_t *sizes;   /* each instruction's length (at most 15) */
    uint64_t *counts; /* each instruction's executions in the window */
};

/* Open addressing, linear probing, at most half full. */
static struct block **table;
static size_t table_size;
static size_t table_used;

static const char *out_path;
static enum window_kind kind = WINDOW_RDTSC;
static uint64_t select_first = 1;
static uint64_t select_last = UINT64_MAX;

/*
 * Window state. Plain variables: -icount runs every vCPU on one thread
 * (no MTTCG), so callbacks never race.
 */
static bool window_open;
static bool selected;         /* the open window is one to count */
static uint64_t in_window;    /* instructions of the open window */
static uint64_t counted;      /* instructions counted, selected windows */
static uint64_t *window_totals;
static size_t n_windows;
static size_t windows_size;
static uint64_t stray_markers; /* an open while open, or a close while closed */

/* Scratch space for the bytes of the block being translated. */
static uint8_t *scratch;
static size_t scratch_size;

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "insn-profile: out of memory\n");
        abort();
    }
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fprintf(stderr, "insn-profile: out of memory\n");
        abort();
    }
    return p;
}

/* FNV-1a over the address and the code. */
static uint64_t block_hash(uint64_t vaddr, const uint8_t *bytes, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (int i = 0; i < 8; i++) {
        h = (h ^ ((vaddr >> (8 * i)) & 0xff)) * 0x100000001b3ull;
    }
    for (size_t i = 0; i < n; i++) {
        h = (h ^ bytes[i]) * 0x100000001b3ull;
    }
    return h;
}

static void table_grow(void)
{
    size_t old_size = table_size;
    struct block **old = table;
    table_size = old_size ? old_size * 2 : 4096;
    table = calloc(table_size, sizeof(*table));
    if (!table) {
        fprintf(stderr, "insn-profile: out of memory\n");
        abort();
    }
    for (size_t i = 0; i < old_size; i++) {
        if (old[i]) {
            size_t j = old[i]->hash & (table_size - 1);
            while (table[j]) {
                j = (j + 1) & (table_size - 1);
            }
            table[j] = old[i];
        }
    }
    free(old);
}

/* The record of this code at this address, made on first sight. */
static struct block *block_for(uint64_t vaddr, const uint8_t *bytes,
                               size_t n_bytes, size_t n_insns)
{
    if (2 * (table_used + 1) > table_size) {
        table_grow();
    }
    uint64_t h = block_hash(vaddr, bytes, n_bytes);
    size_t j = h & (table_size - 1);
    for (; table[j]; j = (j + 1) & (table_size - 1)) {
        struct block *b = table[j];
        if (b->hash == h && b->vaddr == vaddr && b->n_bytes == n_bytes &&
            b->n_insns == n_insns && memcmp(b->bytes, bytes, n_bytes) == 0) {
            return b;
        }
    }
    struct block *b = xmalloc(sizeof(*b));
    b->vaddr = vaddr;
    b->hash = h;
    b->n_bytes = n_bytes;
    b->n_insns = n_insns;
    b->bytes = xmalloc(n_bytes);
    memcpy(b->bytes, bytes, n_bytes);
    b->sizes = xmalloc(n_insns);
    b->counts = calloc(n_insns, sizeof(*b->counts));
    if (!b->counts) {
        fprintf(stderr, "insn-profile: out of memory\n");
        abort();
    }
    table[j] = b;
    table_used++;
    return b;
}

static void on_insn(unsigned int vcpu_index, void *count)
{
    (void)vcpu_index;
    if (window_open) {
        in_window++;
        if (selected) {
            (*(uint64_t *)count)++;
            counted++;
        }
    }
}

static void open_window(void)
{
    window_open = true;
    in_window = 0;
    selected = n_windows + 1 >= select_first && n_windows + 1 <= select_last;
}

static void close_window(void)
{
    window_open = false;
    if (n_windows == windows_size) {
        windows_size = windows_size ? windows_size * 2 : 16;
        window_totals = xrealloc(window_totals, windows_size * sizeof(*window_totals));
    }
    window_totals[n_windows++] = in_window;
}

static void on_open(unsigned int vcpu_index, void *unused)
{
    (void)vcpu_index;
    (void)unused;
    if (window_open) {
        stray_markers++;
    } else {
        open_window();
    }
}

static void on_close(unsigned int vcpu_index, void *unused)
{
    (void)vcpu_index;
    (void)unused;
    if (window_open) {
        close_window();
    } else {
        stray_markers++;
    }
}

static void on_toggle(unsigned int vcpu_index, void *unused)
{
    (void)vcpu_index;
    (void)unused;
    if (window_open) {
        close_window();
    } else {
        open_window();
    }
}

static bool is(const uint8_t *insn, size_t size, const uint8_t *pattern, size_t pattern_size)
{
    return size == pattern_size && memcmp(insn, pattern, size) == 0;
}

/* The callback that opens or closes a window at this instruction, if any. */
static qemu_plugin_vcpu_udata_cb_t window_edge(uint64_t vaddr, const uint8_t *code, size_t size)
{
    switch (kind) {
    case WINDOW_RDTSC:
        return vaddr < KERNEL_HALF && is(code, size, RDTSC, sizeof(RDTSC)) ? on_toggle : NULL;
    case WINDOW_MARKERS:
        if (is(code, size, OPEN_MARKER, sizeof(OPEN_MARKER))) {
            return on_open;
        }
        return is(code, size, CLOSE_MARKER, sizeof(CLOSE_MARKER)) ? on_close : NULL;
    case WINDOW_ALL:
        break;
    }
    return NULL;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    size_t n_insns = qemu_plugin_tb_n_insns(tb);
    if (n_insns == 0) {
        return;
    }
    size_t n_bytes = 0;
    for (size_t i = 0; i < n_insns; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        size_t size = qemu_plugin_insn_size(insn);
        if (n_bytes + size > scratch_size) {
            scratch_size = 2 * (n_bytes + size) + 256;
            scratch = xrealloc(scratch, scratch_size);
        }
        memcpy(scratch + n_bytes, qemu_plugin_insn_data(insn), size);
        n_bytes += size;
    }
    struct block *b = block_for(qemu_plugin_tb_vaddr(tb), scratch, n_bytes, n_insns);

    size_t offset = 0;
    for (size_t i = 0; i < n_insns; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        size_t size = qemu_plugin_insn_size(insn);
        qemu_plugin_vcpu_udata_cb_t edge =
            window_edge(qemu_plugin_insn_vaddr(insn), scratch + offset, size);
        b->sizes[i] = (uint8_t)size;
        offset += size;
        if (edge) {
            qemu_plugin_register_vcpu_insn_exec_cb(insn, edge, QEMU_PLUGIN_CB_NO_REGS, NULL);
        } else {
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_insn, QEMU_PLUGIN_CB_NO_REGS,
                                                   &b->counts[i]);
        }
    }
}

static void write_counts(qemu_plugin_id_t id, void *unused)
{
    (void)id;
    (void)unused;
    FILE *f = fopen(out_path, "w");
    if (!f) {
        fprintf(stderr, "insn-profile: cannot write %s\n", out_path);
        return;
    }
    fprintf(f, "# insn-profile: guest instructions executed per address\n");
    static const char *const kind_names[] = {"rdtsc", "markers", "all"};
    fprintf(f, "window %s\n", kind_names[kind]);
    fprintf(f, "windows %zu\n", n_windows);
    fprintf(f, "left-open %d\n", window_open && kind != WINDOW_ALL ? 1 : 0);
    fprintf(f, "stray-markers %" PRIu64 "\n", stray_markers);
    fprintf(f, "counted %" PRIu64 "\n", counted);
    for (size_t w = 0; w < n_windows; w++) {
        bool sel = w + 1 >= select_first && w + 1 <= select_last;
        fprintf(f, "window-total %zu %" PRIu64 "%s\n", w + 1, window_totals[w],
                sel ? " selected" : "");
    }
    for (size_t j = 0; j < table_size; j++) {
        struct block *b = table[j];
        if (!b) {
            continue;
        }
        bool any = false;
        for (size_t i = 0; i < b->n_insns && !any; i++) {
            any = b->counts[i] != 0;
        }
        if (!any) {
            continue;
        }
        fprintf(f, "block %016" PRIx64 " ", b->vaddr);
        for (size_t i = 0; i < b->n_bytes; i++) {
            fprintf(f, "%02x", b->bytes[i]);
        }
        for (size_t i = 0; i < b->n_insns; i++) {
            fprintf(f, "%c%u", i ? ',' : ' ', b->sizes[i]);
        }
        for (size_t i = 0; i < b->n_insns; i++) {
            fprintf(f, "%c%" PRIu64, i ? ',' : ' ', b->counts[i]);
        }
        fputc('\n', f);
    }
    if (fclose(f) != 0) {
        fprintf(stderr, "insn-profile: error writing %s\n", out_path);
    }
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    (void)info;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        char end;
        if (strncmp(arg, "out=", 4) == 0) {
            out_path = arg + 4;
        } else if (strcmp(arg, "window=rdtsc") == 0) {
            kind = WINDOW_RDTSC;
        } else if (strcmp(arg, "window=markers") == 0) {
            kind = WINDOW_MARKERS;
        } else if (strcmp(arg, "window=all") == 0) {
            kind = WINDOW_ALL;
        } else if (sscanf(arg, "select=%" SCNu64 "-%" SCNu64 "%c", &select_first,
                          &select_last, &end) == 2 &&
                   select_first >= 1 && select_first <= select_last) {
            continue;
        } else {
            fprintf(stderr, "insn-profile: bad argument %s\n", arg);
            return -1;
        }
    }
    if (!out_path || !*out_path) {
        fprintf(stderr, "insn-profile: out=FILE is required\n");
        return -1;
    }
    if (kind == WINDOW_ALL) {
        open_window();
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, write_counts, NULL);
    return 0;
}
