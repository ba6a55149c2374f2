#include <capos/capos.h>

#include "report.h"
#include "steps.h"

static const char message[] = "a line through a pipe";
#define MESSAGE_LEN (sizeof message - 1)

static int same(const char *a, const char *b, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (a[i] != b[i]) {
            return 0;
        }
    }
    return 1;
}

/* Writes the message, reads it back, finds the pipe empty, then sees end
 * of file once the only writer is released. */
static int round_trip(uint32_t pipes)
{
    uint32_t reader = 0, writer = 0;
    char buf[64];
    size_t n = 0;
    int32_t rc = capos_pipe_create(pipes, &reader, &writer);
    if (rc != CAPOS_OK) {
        return fail("pipe create", rc);
    }
    if ((rc = capos_pipe_write(writer, message, MESSAGE_LEN, 0, &n)) != CAPOS_OK) {
        return fail("pipe write", rc);
    }
    if (n != MESSAGE_LEN) {
        return fail("pipe write count", CAPOS_OK);
    }
    if ((rc = capos_pipe_read(reader, buf, sizeof buf, 0, &n)) != CAPOS_OK) {
        return fail("pipe read", rc);
    }
    if (n != MESSAGE_LEN || !same(buf, message, n)) {
        return fail("pipe read gave other bytes", CAPOS_OK);
    }
    rc = capos_pipe_read(reader, buf, sizeof buf, CAPOS_PIPE_NOWAIT, &n);
    if (rc != CAPOS_E_WOULD_BLOCK) {
        return fail("read of an empty pipe without waiting", rc);
    }
    say_code("pipe: \"a line through a pipe\" written and read back; empty, it would block", rc);

    if ((rc = capos_release(writer)) != CAPOS_OK) {
        return fail("release of the write half", rc);
    }
    /* No writer is left: a waiting read returns at once with nothing. */
    if ((rc = capos_pipe_read(reader, buf, sizeof buf, 0, &n)) != CAPOS_OK || n != 0) {
        return fail("end of file", rc);
    }
    if ((rc = capos_release(reader)) != CAPOS_OK) {
        return fail("release of the read half", rc);
    }
    return 0;
}

/* Releases the read half of a new pipe, then writes to it. */
static int no_reader(uint32_t pipes)
{
    uint32_t reader = 0, writer = 0;
    size_t n = 0;
    int32_t rc = capos_pipe_create(pipes, &reader, &writer);
    if (rc != CAPOS_OK) {
        return fail("pipe create", rc);
    }
    if ((rc = capos_release(reader)) != CAPOS_OK) {
        return fail("release of the read half", rc);
    }
    rc = capos_pipe_write(writer, message, MESSAGE_LEN, 0, &n);
    if (rc != CAPOS_E_DISCONNECTED || n != 0) {
        return fail("write without a reader", rc);
    }
    say_code("pipe: end of file once the writer was released; a write without a reader refused",
             rc);
    if ((rc = capos_release(writer)) != CAPOS_OK) {
        return fail("release of the write half", rc);
    }
    return 0;
}

int step_pipe(void)
{
    uint32_t pipes = 0;
    uint64_t interface_id = 0;
    int32_t rc = capos_capset_get("pipes", &pipes, &interface_id);
    if (rc != CAPOS_OK) {
        return fail("pipes lookup", rc);
    }
    if (interface_id != CAPOS_IFACE_PIPE_FACTORY) {
        return fail("pipes is not a PipeFactory", CAPOS_OK);
    }
    return round_trip(pipes) || no_reader(pipes);
}
