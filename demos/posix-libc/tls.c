/*
 * Thread-local storage of the program: __thread and _Thread_local
 * variables, initialised from the ELF's TLS image (.tdata) or zeroed
 * (.tbss), each thread's copy below its thread pointer (x86-64's TLS
 * variant II). The 4 KiB array makes the block larger than musl's built-in
 * one, so musl maps it (mmap) instead.
 */
#include "demo.h"
#include <pthread.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static __thread int counter = 42;
static _Thread_local const char *word = "thread-local";
static __thread struct {
    short s;
    double d;
    char name[8];
} record = {-7, 2.5, "capOS"};
static __thread long zeroed;
static _Thread_local unsigned char big[4096];
static _Thread_local alignas(64) int aligned = 64;
__thread int exported_tls = 1000;

static int next(void)
{
    static __thread int calls;
    return ++calls;
}

int demo_tls(void)
{
    int fails = 0;
    printf("tls initialised: counter %d word \"%s\" record {%d, %g, \"%s\"} exported %d\n", counter,
           word, record.s, record.d, record.name, exported_tls);
    int all_zero = zeroed == 0;
    for (size_t i = 0; i < sizeof big; i++) {
        all_zero &= big[i] == 0;
    }
    printf("tls zeroed: long %ld, %zu-byte array all zero: %s\n", zeroed, sizeof big,
           all_zero ? "yes" : "no");
    counter += 8;
    zeroed = -1;
    memset(big, 0xab, sizeof big);
    strcpy(record.name, "changed");
    exported_tls++;
    printf("tls after writes: counter %d zeroed %ld big[4095] 0x%x record.name \"%s\" exported %d\n",
           counter, zeroed, big[sizeof big - 1], record.name, exported_tls);
    int a = next(), b = next(), c = next();
    printf("tls function-local: %d %d %d\n", a, b, c);
    printf("tls aligned: %d, on a 64-byte boundary: %s\n", aligned,
           (uintptr_t)&aligned % 64 == 0 ? "yes" : "no");
    /* Variant II: every variable lies below the thread pointer, which is
       musl's struct pthread (pthread_self()), within its block. */
    uintptr_t tp = (uintptr_t)pthread_self();
    uintptr_t lowest = (uintptr_t)big < (uintptr_t)&counter ? (uintptr_t)big : (uintptr_t)&counter;
    printf("tls below the thread pointer: %s\n",
           (uintptr_t)&counter < tp && (uintptr_t)&big[sizeof big - 1] < tp &&
                   (uintptr_t)&aligned < tp && tp - lowest < 8192
               ? "yes"
               : "no");
    fails += check(counter == 50 && zeroed == -1 && exported_tls == 1001, "tls writes");
    fails += check(c == 3, "tls function-local counter");
    return fails;
}
