#include <capos/capos.h>

#include "report.h"
#include "steps.h"

static int same(const char *a, const char *b, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (a[i] != b[i]) {
            return 0;
        }
    }
    return 1;
}

/* Opens `name` of `dir` and checks it is of kind `want`. */
static int open_as(uint32_t dir, const char *name, uint32_t flags, uint32_t want, uint32_t *out)
{
    uint32_t kind = 0;
    int32_t rc = capos_dir_open(dir, name, flags, out, &kind);
    if (rc != CAPOS_OK) {
        return fail(name, rc);
    }
    if (kind != want) {
        return fail("an entry of the other kind", CAPOS_OK);
    }
    return 0;
}

/* /etc/motd through a read-only facet: read at its own offset, no write. */
static int read_motd(uint32_t root)
{
    static const char motd[] = "capOS C hello\n";
    uint32_t etc = 0, file = 0;
    char buf[64];
    size_t n = 0;
    if (open_as(root, "etc", 0, CAPOS_NODE_DIRECTORY, &etc) ||
        open_as(etc, "motd", CAPOS_OPEN_READ_ONLY, CAPOS_NODE_FILE, &file)) {
        return 1;
    }
    int32_t rc = capos_file_read_next(file, buf, sizeof buf, &n);
    if (rc != CAPOS_OK || n != sizeof motd - 1 || !same(buf, motd, n)) {
        return fail("read of /etc/motd", rc);
    }
    rc = capos_file_write_next(file, "x", 1, &n);
    if (rc != CAPOS_E_READ_ONLY || n != 0) {
        return fail("write through a read-only facet", rc);
    }
    say_code("files: /etc/motd read through a read-only facet; a write refused", rc);
    capos_release(file);
    capos_release(etc);
    return 0;
}

/* A file made in /tmp: written and read at the description's offset,
 * seeked, truncated, listed beside a directory, removed. */
static int scratch(uint32_t root)
{
    static const char text[] = "hello world";
    uint32_t tmp = 0, file = 0, again = 0;
    char buf[32];
    size_t n = 0;
    uint64_t at = 0, size = 0;
    if (open_as(root, "tmp", 0, CAPOS_NODE_DIRECTORY, &tmp) ||
        open_as(tmp, "note", CAPOS_OPEN_CREATE | CAPOS_OPEN_EXCLUSIVE, CAPOS_NODE_FILE, &file)) {
        return 1;
    }
    int32_t rc;
    if ((rc = capos_file_write_next(file, text, 5, &n)) != CAPOS_OK ||
        (rc = capos_file_write_next(file, text + 5, 6, &n)) != CAPOS_OK ||
        (rc = capos_file_seek(file, 0, CAPOS_SEEK_CUR, &at)) != CAPOS_OK || at != 11) {
        return fail("writes at the description's offset", rc);
    }
    if ((rc = capos_file_seek(file, -5, CAPOS_SEEK_END, &at)) != CAPOS_OK || at != 6 ||
        (rc = capos_file_read_next(file, buf, sizeof buf, &n)) != CAPOS_OK || n != 5 ||
        !same(buf, "world", 5)) {
        return fail("seek from the end and read", rc);
    }
    if ((rc = capos_file_seek(file, -1, CAPOS_SEEK_SET, &at)) != CAPOS_E_BAD_ARGUMENT) {
        return fail("seek before the start", rc);
    }
    if ((rc = capos_file_truncate(file, 5)) != CAPOS_OK ||
        (rc = capos_file_size(file, &size)) != CAPOS_OK || size != 5 ||
        (rc = capos_file_read(file, 0, buf, sizeof buf, &n)) != CAPOS_OK || n != 5 ||
        !same(buf, text, 5)) {
        return fail("truncate and read at an offset", rc);
    }
    rc = capos_dir_open(tmp, "note", CAPOS_OPEN_CREATE | CAPOS_OPEN_EXCLUSIVE, &again, NULL);
    if (rc != CAPOS_E_EXISTS) {
        return fail("exclusive create of an existing file", rc);
    }
    say_code("files: /tmp/note written, seeked, read, truncated; made again", rc);

    capos_dir_entry entries[4];
    uint32_t end = 0;
    if ((rc = capos_dir_mkdir(tmp, "sub", 0755)) != CAPOS_OK ||
        (rc = capos_dir_list(tmp, 0, entries, 4, &n, &end)) != CAPOS_OK || n != 2 || !end ||
        !same(entries[0].name, "note", 5) || entries[0].kind != CAPOS_NODE_FILE ||
        !same(entries[1].name, "sub", 4) || entries[1].kind != CAPOS_NODE_DIRECTORY) {
        return fail("mkdir and list", rc);
    }
    if ((rc = capos_dir_rmdir(tmp, "note")) != CAPOS_E_NOT_DIRECTORY ||
        (rc = capos_dir_rmdir(tmp, "sub")) != CAPOS_OK ||
        (rc = capos_dir_unlink(tmp, "note")) != CAPOS_OK) {
        return fail("rmdir and unlink", rc);
    }
    /* The unlinked file lives on for its holder. */
    if ((rc = capos_file_read(file, 0, buf, sizeof buf, &n)) != CAPOS_OK || n != 5) {
        return fail("read of the unlinked file", rc);
    }
    rc = capos_dir_open(tmp, "note", 0, &again, NULL);
    if (rc != CAPOS_E_NO_ENTRY) {
        return fail("open of the removed name", rc);
    }
    say_code("files: listed note and sub, removed both; the name is gone", rc);
    capos_release(file);
    capos_release(tmp);
    return 0;
}

int step_files(void)
{
    uint32_t root = 0;
    uint64_t interface_id = 0;
    int32_t rc = capos_capset_get("fs", &root, &interface_id);
    if (rc != CAPOS_OK) {
        return fail("fs lookup", rc);
    }
    if (interface_id != CAPOS_IFACE_DIRECTORY) {
        return fail("fs is not a Directory", CAPOS_OK);
    }
    return read_motd(root) || scratch(root);
}
