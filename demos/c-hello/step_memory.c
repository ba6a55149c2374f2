#include <capos/capos.h>

#include "report.h"
#include "steps.h"

#define PAGE 4096

int step_memory(void)
{
    uint32_t vm = 0;
    void *pages = NULL;
    int32_t rc = capos_capset_get("memory", &vm, NULL);
    if (rc != CAPOS_OK) {
        return fail("memory lookup", rc);
    }
    rc = capos_vm_map(vm, NULL, 2 * PAGE, CAPOS_PROT_READ | CAPOS_PROT_WRITE, &pages);
    if (rc != CAPOS_OK) {
        return fail("vm map", rc);
    }
    volatile unsigned char *p = pages;
    p[0] = 1;
    p[PAGE] = 2;
    if ((rc = capos_vm_protect(vm, pages, PAGE, CAPOS_PROT_READ)) != CAPOS_OK) {
        return fail("vm protect", rc);
    }
    if (p[0] != 1 || p[PAGE] != 2) {
        return fail("vm contents", CAPOS_OK);
    }
    if ((rc = capos_vm_unmap(vm, pages, 2 * PAGE)) != CAPOS_OK) {
        return fail("vm unmap", rc);
    }
    rc = capos_vm_map(vm, NULL, PAGE, CAPOS_PROT_WRITE | CAPOS_PROT_EXEC, &pages);
    if (rc != CAPOS_E_APPLICATION) {
        return fail("vm refuses W+X", rc);
    }
    say("memory map, write, protect, unmap ok; W+X refused (CAPOS_E_APPLICATION)");
    return 0;
}
