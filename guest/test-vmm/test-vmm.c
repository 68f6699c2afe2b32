/*
 * test-vmm: a minimal KVM VMM that runs the PCM default guest exactly as
 * docs/guest-contract.md describes (64 MiB at GPA 0, long mode entered with
 * KVM_SET_SREGS, boot info at 0x8000, image at 0x100000), used to test the
 * guest on this machine's /dev/kvm and as the C baseline of benchmarks.
 *
 * Usage: test-vmm <image> [param]
 *   Console (COM1 THR) goes to stdout; diagnostics/statistics to stderr.
 *   Exit status: the guest's power-off value (0 = success; other values are
 *   reduced to their low byte, or 1 if that is 0); 100 = i8042 reset;
 *   1 = VMM error / unexpected exit.
 * Environment (optional): TEST_VMM_TIMER_HZ (boot-info timer rate, default
 *   1000, 0 = no timer), TEST_VMM_FLAGS (boot-info flags, default 1 = RDRAND
 *   allowed), TEST_VMM_RAM_MB (default 64), TEST_VMM_VERBOSE=1 (log every
 *   progress checkpoint).
 *
 * Devices (minimal): COM1 THR output + LSR always ready, PIC (only the
 * master IMR is tracked, to know if IRQ 0 is masked), PIT ports accepted
 * and ignored (the tick rate is the boot-info rate), i8042 reset, the PCM
 * test device.  No in-kernel irqchip: the timer (vector 0x20) is injected
 * with KVM_INTERRUPT after an exit when ready_for_interrupt_injection &&
 * if_flag and at least one period has passed.  A periodic SIGALRM (setitimer)
 * sets run->immediate_exit so KVM_RUN returns even while the guest computes
 * natively at CPL3; on KVM_EXIT_HLT the VMM sleeps until the next tick.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define VMM_NAME "test-vmm"
#include "kvm-boot.h"

#define GDT_ADDR    0x1000
#define PML4_ADDR   0x2000
#define PDPT_ADDR   0x3000
#define PD_ADDR     0x4000
#define BOOTINFO    0x8000
#define STACK_TOP   0x90000
#define IMAGE_ADDR  0x100000
#define BOOT_MAGIC  0x31544F4F424D4350ULL

#define TESTDEV_BASE 0xFEB00000ULL
#define TESTDEV_SIZE 0x1000
#define TESTDEV_ID   0x0000000150434D31ULL

#define EXIT_RESET 100

static struct kvm_run *g_run;



static void on_alarm(int sig)
{
	(void)sig;
	if (g_run)
		g_run->immediate_exit = 1; /* kick: KVM_RUN returns with EINTR */
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *s = getenv(name);
	return s && *s ? strtoull(s, NULL, 0) : dflt;
}



/* ---- device state ---- */
struct devs {
	uint8_t uart_lcr, uart_ier, uart_mcr, uart_scr;
	int pic_icw;          /* >0: number of ICW bytes still expected on 0x21 */
	uint8_t pic_imr;
	uint64_t param, scratch, progress, result, poweroff;
	int progress_writes;
	uint64_t t_first_ckpt, t_last_ckpt; /* CLOCK_MONOTONIC ns */
	int verbose;
	uint64_t unknown_io;
};

static int handle_io(struct devs *d, struct kvm_run *run, int *stop, int *status)
{
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	uint16_t port = run->io.port;
	for (uint32_t i = 0; i < run->io.count; i++, data += run->io.size) {
		if (run->io.direction == KVM_EXIT_IO_OUT) {
			uint8_t v = data[0];
			switch (port) {
			case 0x3F8: if (!(d->uart_lcr & 0x80)) putchar(v); break;
			case 0x3F9: if (!(d->uart_lcr & 0x80)) d->uart_ier = v; break;
			case 0x3FA: break; /* FCR */
			case 0x3FB: d->uart_lcr = v; break;
			case 0x3FC: d->uart_mcr = v; break;
			case 0x3FF: d->uart_scr = v; break;
			case 0x3FD: case 0x3FE: break;
			case 0x20: if (v & 0x10) d->pic_icw = 3; break; /* ICW1: ICW2..4 follow (ICW4 bit assumed) */
			case 0x21: if (d->pic_icw > 0) d->pic_icw--; else d->pic_imr = v; break;
			case 0xA0: case 0xA1: break;
			case 0x40: case 0x41: case 0x42: case 0x43: break; /* PIT: ignored */
			case 0x60: break;
			case 0x64:
				if (v == 0xFE) {
					fprintf(stderr, "test-vmm: i8042 reset\n");
					*stop = 1;
					*status = EXIT_RESET;
				}
				break;
			default:
				if (d->unknown_io++ < 10)
					fprintf(stderr, "test-vmm: unhandled out port 0x%x = 0x%x\n", port, v);
			}
		} else {
			uint8_t v = 0xFF;
			switch (port) {
			case 0x3F8: v = 0; break; /* RBR: nothing received */
			case 0x3F9: v = d->uart_ier; break;
			case 0x3FA: v = 0x01; break; /* IIR: no interrupt pending */
			case 0x3FB: v = d->uart_lcr; break;
			case 0x3FC: v = d->uart_mcr; break;
			case 0x3FD: v = 0x60; break; /* LSR: THRE | TEMT, always ready */
			case 0x3FE: v = 0x00; break;
			case 0x3FF: v = d->uart_scr; break;
			case 0x21: v = d->pic_imr; break;
			case 0x20: case 0xA0: case 0xA1: v = 0; break;
			case 0x40: case 0x41: case 0x42: case 0x43: v = 0; break;
			case 0x60: case 0x64: v = 0; break;
			default:
				if (d->unknown_io++ < 10)
					fprintf(stderr, "test-vmm: unhandled in port 0x%x\n", port);
			}
			memset(data, v, run->io.size);
		}
	}
	return 0;
}

static int handle_mmio(struct devs *d, struct kvm_run *run, int *stop, int *status)
{
	uint64_t a = run->mmio.phys_addr, v = 0;
	uint32_t len = run->mmio.len;
	if (a < TESTDEV_BASE || a + len > TESTDEV_BASE + TESTDEV_SIZE) {
		fprintf(stderr, "test-vmm: MMIO %s outside the test device: 0x%llx len %u\n",
			run->mmio.is_write ? "write" : "read", (unsigned long long)a, len);
		return -1;
	}
	uint64_t off = a - TESTDEV_BASE;
	if (run->mmio.is_write) {
		memcpy(&v, run->mmio.data, len > 8 ? 8 : len);
		switch (off) {
		case 0x10: d->scratch = v; break;
		case 0x18:
			d->progress = v;
			d->progress_writes++;
			d->t_last_ckpt = now_ns();
			if (!d->t_first_ckpt)
				d->t_first_ckpt = d->t_last_ckpt;
			if (d->verbose)
				fprintf(stderr, "test-vmm: checkpoint %llu\n", (unsigned long long)v);
			break;
		case 0x20: d->result = v; break;
		case 0x28:
			d->poweroff = v;
			*stop = 1;
			*status = v == 0 ? 0 : (v & 0xFF) ? (int)(v & 0xFF) : 1;
			break;
		default:
			fprintf(stderr, "test-vmm: write to test device offset 0x%llx ignored\n", (unsigned long long)off);
		}
	} else {
		switch (off) {
		case 0x00: v = TESTDEV_ID; break;
		case 0x04: v = TESTDEV_ID >> 32; break;
		case 0x08: v = d->param; break;
		case 0x0C: v = d->param >> 32; break;
		case 0x10: v = d->scratch; break;
		case 0x14: v = d->scratch >> 32; break;
		default: v = 0;
		}
		memcpy(run->mmio.data, &v, len > 8 ? 8 : len);
	}
	return 0;
}

static void setup_memory(uint8_t *mem, uint64_t ram, uint64_t param, uint64_t flags, uint64_t hz)
{
	/* boot GDT: null, code64 0x08, data 0x10 */
	put64(mem, GDT_ADDR + 0, 0);
	put64(mem, GDT_ADDR + 8, 0x00AF9A000000FFFFULL);
	put64(mem, GDT_ADDR + 16, 0x00CF92000000FFFFULL);
	/* identity map 0..4 GiB with 2 MiB pages, P|RW|US everywhere */
	put64(mem, PML4_ADDR, PDPT_ADDR | 7);
	for (uint64_t i = 0; i < 4; i++) {
		put64(mem, PDPT_ADDR + i * 8, (PD_ADDR + i * 0x1000) | 7);
		for (uint64_t j = 0; j < 512; j++)
			put64(mem, PD_ADDR + i * 0x1000 + j * 8, ((i * 512 + j) << 21) | 0x87);
	}
	/* boot info */
	put64(mem, BOOTINFO + 0, BOOT_MAGIC);
	put64(mem, BOOTINFO + 8, ram);
	put64(mem, BOOTINFO + 16, param);
	put64(mem, BOOTINFO + 24, flags);
	put64(mem, BOOTINFO + 32, hz);
}

static void setup_cpu(int kvm, int vcpu)
{
	struct kvm_regs r;

	int n = 256;
	struct kvm_cpuid2 *cpuid = calloc(1, sizeof(*cpuid) + n * sizeof(struct kvm_cpuid_entry2));
	cpuid->nent = n;
	if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, cpuid) < 0)
		die("KVM_GET_SUPPORTED_CPUID");
	if (ioctl(vcpu, KVM_SET_CPUID2, cpuid) < 0)
		die("KVM_SET_CPUID2");
	free(cpuid);

	set_long_mode(vcpu, GDT_ADDR, PML4_ADDR);

	memset(&r, 0, sizeof(r));
	r.rip = IMAGE_ADDR;
	r.rsp = STACK_TOP;
	r.rsi = BOOTINFO;
	r.rflags = 0x2;
	if (ioctl(vcpu, KVM_SET_REGS, &r) < 0)
		die("KVM_SET_REGS");
}

static void dump_regs(int vcpu)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	if (ioctl(vcpu, KVM_GET_REGS, &r) == 0 && ioctl(vcpu, KVM_GET_SREGS, &s) == 0)
		fprintf(stderr, "test-vmm: rip=0x%llx rsp=0x%llx rflags=0x%llx cs=0x%x cr2=0x%llx rax=0x%llx\n",
			(unsigned long long)r.rip, (unsigned long long)r.rsp, (unsigned long long)r.rflags,
			s.cs.selector, (unsigned long long)s.cr2, (unsigned long long)r.rax);
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s <image> [param]\n", argv[0]);
		return 1;
	}
	uint64_t param = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
	uint64_t hz = env_u64("TEST_VMM_TIMER_HZ", 1000);
	uint64_t flags = env_u64("TEST_VMM_FLAGS", 1);
	uint64_t ram = env_u64("TEST_VMM_RAM_MB", 64) << 20;
	struct devs d = { .pic_imr = 0xFF, .param = param, .verbose = (int)env_u64("TEST_VMM_VERBOSE", 0) };
	uint64_t t_start = now_ns();

	setvbuf(stdout, NULL, _IOLBF, 0);

	/* image */
	int fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		die(argv[1]);
	struct stat st;
	if (fstat(fd, &st) < 0)
		die("fstat");
	if (st.st_size <= 0 || (uint64_t)st.st_size > ram - IMAGE_ADDR) {
		fprintf(stderr, "test-vmm: bad image size %lld\n", (long long)st.st_size);
		return 1;
	}

	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	uint8_t *mem = mmap(NULL, ram, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	if (read(fd, mem + IMAGE_ADDR, st.st_size) != st.st_size)
		die("read image");
	close(fd);
	setup_memory(mem, ram, param, flags, hz);
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = ram, .userspace_addr = (uintptr_t)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");

	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size < 0)
		die("KVM_GET_VCPU_MMAP_SIZE");
	struct kvm_run *run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");
	setup_cpu(kvm, vcpu);

	/* timer kick */
	uint64_t period = hz ? 1000000000ULL / hz : 0;
	g_run = run;
	if (hz) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_alarm;
		sa.sa_flags = SA_RESTART; /* KVM_RUN still returns EINTR (it is never restarted) */
		sigemptyset(&sa.sa_mask);
		sigaction(SIGALRM, &sa, NULL);
		struct itimerval it = { { 0, (long)(period / 1000) }, { 0, (long)(period / 1000) } };
		if (it.it_interval.tv_usec == 0)
			it.it_interval.tv_usec = it.it_value.tv_usec = 1;
		setitimer(ITIMER_REAL, &it, NULL);
	}

	uint64_t n_exit = 0, n_io = 0, n_mmio = 0, n_hlt = 0, n_intr = 0, n_inject = 0, n_other = 0;
	uint64_t next_tick = now_ns() + period;
	uint64_t t_run = now_ns();
	int stop = 0, status = 1;

	while (!stop) {
		int rc = ioctl(vcpu, KVM_RUN, 0);
		run->immediate_exit = 0;
		n_exit++;
		if (rc < 0) {
			if (errno != EINTR && errno != EAGAIN)
				die("KVM_RUN");
			n_intr++;
		} else {
			switch (run->exit_reason) {
			case KVM_EXIT_IO:
				n_io++;
				handle_io(&d, run, &stop, &status);
				break;
			case KVM_EXIT_MMIO:
				n_mmio++;
				if (handle_mmio(&d, run, &stop, &status) < 0) {
					dump_regs(vcpu);
					return 1;
				}
				break;
			case KVM_EXIT_HLT:
				n_hlt++;
				if (!hz || !run->if_flag || (d.pic_imr & 1)) {
					fprintf(stderr, "test-vmm: guest halted with no interrupt to wake it (IF=%d)\n", run->if_flag);
					dump_regs(vcpu);
					return 1;
				}
				for (;;) { /* sleep until the next tick */
					uint64_t t = now_ns();
					if (t >= next_tick)
						break;
					struct timespec ts = { (time_t)((next_tick - t) / 1000000000ULL), (long)((next_tick - t) % 1000000000ULL) };
					nanosleep(&ts, NULL);
				}
				break;
			case KVM_EXIT_IRQ_WINDOW_OPEN:
				n_other++;
				break;
			case KVM_EXIT_INTR:
				n_intr++;
				break;
			case KVM_EXIT_SHUTDOWN:
				fprintf(stderr, "test-vmm: KVM_EXIT_SHUTDOWN (triple fault)\n");
				dump_regs(vcpu);
				return 1;
			case KVM_EXIT_INTERNAL_ERROR:
				fprintf(stderr, "test-vmm: KVM_EXIT_INTERNAL_ERROR suberror %u, ndata %u:",
					run->internal.suberror, run->internal.ndata);
				for (uint32_t i = 0; i < run->internal.ndata && i < 16; i++)
					fprintf(stderr, " 0x%llx", (unsigned long long)run->internal.data[i]);
				fprintf(stderr, "\n");
				dump_regs(vcpu);
				return 1;
			case KVM_EXIT_FAIL_ENTRY:
				fprintf(stderr, "test-vmm: KVM_EXIT_FAIL_ENTRY reason 0x%llx\n",
					(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
				return 1;
			default:
				fprintf(stderr, "test-vmm: unexpected exit reason %u\n", run->exit_reason);
				dump_regs(vcpu);
				return 1;
			}
		}
		if (stop)
			break;
		/* timer: inject vector 0x20 when due and the guest can take it */
		run->request_interrupt_window = 0;
		if (hz && !(d.pic_imr & 1)) {
			uint64_t t = now_ns();
			if (t >= next_tick) {
				if (run->ready_for_interrupt_injection && run->if_flag) {
					struct kvm_interrupt irq = { .irq = 0x20 };
					if (ioctl(vcpu, KVM_INTERRUPT, &irq) < 0)
						die("KVM_INTERRUPT");
					n_inject++;
					next_tick = t + period;
				} else {
					run->request_interrupt_window = 1;
				}
			}
		}
	}
	uint64_t t_end = now_ns();

	if (hz) {
		struct itimerval off = { { 0, 0 }, { 0, 0 } };
		setitimer(ITIMER_REAL, &off, NULL);
	}
	fflush(stdout);
	fprintf(stderr,
		"test-vmm: poweroff=0x%llx result=%016llx checkpoints=%d (last %llu)\n"
		"test-vmm: timer: injected=%llu guest-counted=%llu (scratch)\n"
		"test-vmm: exits=%llu io=%llu mmio=%llu hlt=%llu intr=%llu other=%llu\n"
		"test-vmm: time total=%.3f ms run=%.3f ms (run start->first checkpoint %.3f, first->last checkpoint %.3f, last checkpoint->poweroff %.3f)\n",
		(unsigned long long)d.poweroff, (unsigned long long)d.result, d.progress_writes,
		(unsigned long long)d.progress, (unsigned long long)n_inject, (unsigned long long)d.scratch,
		(unsigned long long)n_exit, (unsigned long long)n_io, (unsigned long long)n_mmio,
		(unsigned long long)n_hlt, (unsigned long long)n_intr, (unsigned long long)n_other,
		(t_end - t_start) / 1e6, (t_end - t_run) / 1e6,
		d.t_first_ckpt ? (d.t_first_ckpt - t_run) / 1e6 : 0.0,
		d.t_first_ckpt ? (d.t_last_ckpt - d.t_first_ckpt) / 1e6 : 0.0,
		d.t_first_ckpt ? (t_end - d.t_last_ckpt) / 1e6 : 0.0);
	return status;
}
