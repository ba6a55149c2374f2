/*
 * The steps of c-hello, each in its own file. A step prints one line when
 * it succeeds and returns 0, or prints a FAIL line and returns non-zero.
 */
#ifndef C_HELLO_STEPS_H
#define C_HELLO_STEPS_H

#include <stdint.h>

#define NS_PER_MS UINT64_C(1000000)

/* Looks up the timer and reads both clocks; stores the timer's id. */
int step_time(uint32_t *timer);
/* Allocates, resizes and frees heap memory. */
int step_heap(void);
/* Maps, protects and unmaps pages through VirtualMemory. */
int step_memory(void);
/* Two raw Timer.sleep calls in flight; the shorter completes first. */
int step_in_flight(uint32_t timer);
/* Capabilities used as what they are not, or not held at all. */
int step_refusals(uint32_t console);
/* Spawns c-hello-child with the console and waits for it. */
int step_spawn(uint32_t console);
/* Forks through "fork" (capos_fork): the copy changes a global and exits
 * 42; this process waits for it and still reads its own global. */
int step_fork(void);
/* Sends a line through a pipe and back; end of file and a write with no
 * reader give their own outcomes. */
int step_pipe(void);
/* Reads, writes, seeks, lists and removes files through the "fs"
 * Directory. */
int step_files(void);
/* Releases the timer; its id is refused afterwards. */
int step_release(uint32_t timer);

#endif
