/*
 * pio_bench: raw KVM_RUN round-trip benchmark for port I/O exits.
 *
 * Usage: pio_bench <iterations>
 * Prints "pio-roundtrips-per-sec <n>" on stdout (details on stderr).
 *
 * The guest is 8 bytes of code generated here, entered directly in 64-bit
 * long mode at CPL0 (on PVM, CPL0 code runs in KVM's instruction emulator)
 * with the same boot state as the PCM default guest contract:
 *   GDT at 0x1000 (null, code64 0x08, data 0x10), PML4 0x2000, PDPT 0x3000,
 *   PD 0x4000 (2 MiB pages: only the first 2 MiB are mapped here, P|RW|US|PS),
 *   CR0 = PE|MP|ET|NE|WP|PG, CR4 = PAE|OSFXSR|OSXMMEXCPT, EFER = SCE|LME|LMA|NXE,
 *   CS = 0x08, DS = ES = SS = FS = GS = 0x10, RIP = 0x100000, RSP = 0x90000,
 *   RFLAGS = 0x2, all other GPRs 0; 2 MiB of RAM at GPA 0; no CPUID set,
 *   no irqchip.
 *
 * Guest code at GPA 0x100000 (exact bytes; the Java side must run the same):
 *
 *   0x100000: 31 c0     xor  %eax,%eax
 *   0x100002: ff c0     inc  %eax          <- loop
 *   0x100004: e6 80     out  %al,$0x80     (KVM_EXIT_IO: port 0x80, size 1, count 1, OUT)
 *   0x100006: eb fa     jmp  0x100002
 *
 * One iteration = one KVM_RUN ioctl returning KVM_EXIT_IO with the byte
 * (i & 0xff) for the i-th exit (i = 1, 2, ...); the VMM checks the byte and
 * the port and immediately calls KVM_RUN again (no other work).  The first
 * exit (VM entry, page walks) is a warm-up and not timed; then <iterations>
 * round trips are timed with CLOCK_MONOTONIC.
 *   pio-roundtrips-per-sec = iterations / elapsed seconds (rounded down).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define VMM_NAME "pio_bench"
#include "kvm-boot.h"

#define RAM_SIZE  (2UL << 20)
#define PIO_PORT  0x80

static const uint8_t guest_code[] = {
	0x31, 0xc0,       /* xor %eax,%eax */
	0xff, 0xc0,       /* 1: inc %eax   */
	0xe6, PIO_PORT,   /* out %al,$0x80 */
	0xeb, 0xfa,       /* jmp 1b        */
};





int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s <iterations>\n", argv[0]);
		return 1;
	}
	uint64_t iters = strtoull(argv[1], NULL, 0);
	if (iters == 0)
		iters = 1;

	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	uint8_t *mem = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	put64(mem, 0x1000 + 8, 0x00AF9A000000FFFFULL);  /* GDT: code64 0x08 */
	put64(mem, 0x1000 + 16, 0x00CF92000000FFFFULL); /* GDT: data 0x10 */
	put64(mem, 0x2000, 0x3000 | 7);                 /* PML4[0] -> PDPT */
	put64(mem, 0x3000, 0x4000 | 7);                 /* PDPT[0] -> PD */
	put64(mem, 0x4000, 0x0 | 0x87);                 /* PD[0]: 2 MiB page at 0 */
	memcpy(mem + 0x100000, guest_code, sizeof(guest_code));

	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = RAM_SIZE, .userspace_addr = (uintptr_t)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct kvm_run *run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");

	set_long_mode(vcpu, 0x1000, 0x2000);
	struct kvm_regs r;
	memset(&r, 0, sizeof(r));
	r.rip = 0x100000; r.rsp = 0x90000; r.rflags = 2;
	if (ioctl(vcpu, KVM_SET_REGS, &r) < 0)
		die("KVM_SET_REGS");

	uint64_t t0 = 0;
	for (uint64_t i = 0; i <= iters; i++) {
		if (i == 1)
			t0 = now_ns(); /* exit #1 was the warm-up */
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR) { i--; continue; }
			die("KVM_RUN");
		}
		uint8_t want = (uint8_t)(i + 1);
		if (run->exit_reason != KVM_EXIT_IO || run->io.port != PIO_PORT ||
		    run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 1 || run->io.count != 1 ||
		    *((uint8_t *)run + run->io.data_offset) != want) {
			fprintf(stderr, "pio_bench: unexpected exit %u at iteration %llu (port 0x%x byte 0x%x want 0x%x)\n",
				run->exit_reason, (unsigned long long)i, run->io.port,
				*((uint8_t *)run + run->io.data_offset), want);
			return 1;
		}
	}
	uint64_t dt = now_ns() - t0;
	if (dt == 0)
		dt = 1;
	fprintf(stderr, "pio_bench: %llu round trips in %.3f ms, %.3f us each\n",
		(unsigned long long)iters, dt / 1e6, dt / 1e3 / iters);
	printf("pio-roundtrips-per-sec %llu\n", (unsigned long long)(iters * 1000000000ULL / dt));
	return 0;
}
