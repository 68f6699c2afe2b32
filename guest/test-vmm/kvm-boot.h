/*
 * kvm-boot.h: what test-vmm.c and pio_bench.c share — error exit, clock, guest
 * memory writes and the long-mode entry state of docs/guest-contract.md
 * (flat code64 0x08 / data 0x10 from the GDT, paging on, no TSS/LDT/IDT loaded).
 * Header-only so that each tool still builds from its one .c file.
 * The including file defines VMM_NAME (the prefix of error messages) first.
 */
#ifndef KVM_BOOT_H
#define KVM_BOOT_H

#include <errno.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

static void die(const char *what)
{
	fprintf(stderr, VMM_NAME ": %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void put64(uint8_t *mem, uint64_t gpa, uint64_t v)
{
	memcpy(mem + gpa, &v, 8);
}

static struct kvm_segment seg(uint16_t sel, uint8_t type, int code64)
{
	struct kvm_segment s = {
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = code64 ? 0 : 1, .s = 1,
		.l = code64 ? 1 : 0, .g = 1,
	};
	return s;
}

/* Enters 64-bit long mode at CPL0 through KVM_SET_SREGS (GDT of 3 entries at gdt, page tables at pml4). */
static void set_long_mode(int vcpu, uint64_t gdt, uint64_t pml4)
{
	struct kvm_sregs sr;
	if (ioctl(vcpu, KVM_GET_SREGS, &sr) < 0)
		die("KVM_GET_SREGS");
	sr.cs = seg(0x08, 11, 1);
	sr.ds = sr.es = sr.ss = sr.fs = sr.gs = seg(0x10, 3, 0);
	/* no TSS / LDT loaded by contract; KVM still wants usable-looking values */
	memset(&sr.tr, 0, sizeof(sr.tr));
	sr.tr.type = 11; sr.tr.present = 1; sr.tr.limit = 0x67;
	memset(&sr.ldt, 0, sizeof(sr.ldt));
	sr.ldt.type = 2; sr.ldt.present = 1; sr.ldt.limit = 0xffff; sr.ldt.unusable = 1;
	sr.gdt.base = gdt; sr.gdt.limit = 23;
	sr.idt.base = 0; sr.idt.limit = 0;
	sr.cr0 = 0x80010033;  /* PG | WP | NE | ET | MP | PE */
	sr.cr3 = pml4;
	sr.cr4 = 0x620;       /* OSXMMEXCPT | OSFXSR | PAE */
	sr.efer = 0xD01;      /* NXE | LMA | LME | SCE */
	if (ioctl(vcpu, KVM_SET_SREGS, &sr) < 0)
		die("KVM_SET_SREGS");
}

#endif
