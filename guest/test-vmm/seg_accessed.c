/*
 * seg_accessed: does a far return (LRETQ) set the accessed bit of the CS descriptor it loads? (issue 12 item 3)
 *
 * Usage: seg_accessed        Prints "seg-accessed lretq-cs 0x9a|0x9b mov-ds 0x92|0x93" and exits 0.
 *
 * The architecture (Intel SDM vol. 3A 3.4.5.1, AMD APM vol. 2 4.7.2): loading a segment register with a
 * descriptor whose accessed bit is clear sets it in the GDT (0x9a -> 0x9b for the code descriptor, 0x92 -> 0x93
 * for data). PCM's soft CPU does so; on the emulated SVM host (QEMU TCG) a window of the embedded guest's
 * gdt_load (push $8; lea; push; lretq) differed in exactly that byte. Boot state as pio_bench (GDT at 0x1000 with
 * both descriptors' accessed bits clear), guest at 0x100000:
 *   push $0x8; lea 1f(%rip),%rax; push %rax; lretq; 1: mov $0x10,%eax; mov %eax,%ds; out %al,$0x80; hlt
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

#define VMM_NAME "seg_accessed"
#include "kvm-boot.h"

#define RAM_SIZE (2UL << 20)

static const uint8_t guest_code[] = {
	0x6a, 0x08,                               /* push $0x8 */
	0x48, 0x8d, 0x05, 0x03, 0x00, 0x00, 0x00, /* lea 3(%rip),%rax */
	0x50,                                     /* push %rax */
	0x48, 0xcb,                               /* lretq */
	0xb8, 0x10, 0x00, 0x00, 0x00,             /* mov $0x10,%eax */
	0x8e, 0xd8,                               /* mov %eax,%ds */
	0xe6, 0x80,                               /* out %al,$0x80 */
	0xf4,                                     /* hlt */
};

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	uint8_t *mem = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	put64(mem, 0x1000 + 8, 0x00AF9A000000FFFFULL);  /* GDT: code64 0x08, accessed clear */
	put64(mem, 0x1000 + 16, 0x00CF92000000FFFFULL); /* GDT: data 0x10, accessed clear */
	put64(mem, 0x2000, 0x3000 | 7);
	put64(mem, 0x3000, 0x4000 | 7);
	put64(mem, 0x4000, 0x0 | 0x87);
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
	while (ioctl(vcpu, KVM_RUN, 0) < 0)
		if (errno != EINTR)
			die("KVM_RUN");
	if (run->exit_reason != KVM_EXIT_IO || run->io.port != 0x80) {
		fprintf(stderr, "seg_accessed: unexpected exit %u\n", run->exit_reason);
		return 1;
	}
	printf("seg-accessed lretq-cs 0x%02x mov-ds 0x%02x\n", mem[0x1000 + 8 + 5], mem[0x1000 + 16 + 5]);
	return 0;
}
