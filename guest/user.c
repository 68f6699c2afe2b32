/*
 * PCM default guest, user part (CPL3): the workload.
 *
 * Runs natively on PVM/KVM.  Generates param x 4 KiB of data with a fixed
 * PRNG (xorshift64*), hashes it with a 64-bit multiply/xor-shift hash and
 * finishes with the SYS_FINISH system call (int3).  Block i is written to
 * WORK_BASE + (i mod 256) * 4 KiB (a 1 MiB ring: first touches of fresh
 * guest pages cost ~20 us each on PVM, reuse is free).  RDTSC, RDRAND (if
 * boot-info flag bit 0) and RDSEED (bit 1) are executed once per block,
 * CPUID (leaf 0) every 8th block; their values go to a sink and
 * never influence the hash.  The inner loops contain no instruction that
 * exits to the VMM.  Integer instructions only (no SSE/x87) so that a
 * software x86 interpreter can run it too.
 *
 * Progress: at most 8 lines "progress <done>/<param> <hash>" on COM1 (port
 * I/O from CPL3, allowed by the TSS I/O bitmap), each also checkpointed to
 * the test device's progress register (value = blocks done).
 */
#include "pcm.h"

#define PRNG_SEED 0x9E3779B97F4A7C15UL
#define HASH_INIT 0xCBF29CE484222325UL
#define HASH_MUL  0x00000100000001B3UL

volatile u64 user_sink; /* CPUID/RDTSC/RDRAND results, never read back */

static void uputc(char c)
{
	while (!(inb(UART_LSR) & UART_LSR_THRE))
		;
	outb(UART_BASE, (u8)c);
}

static void uputs(const char *s)
{
	while (*s)
		uputc(*s++);
}

static void uputhex(u64 v)
{
	for (int i = 15; i >= 0; i--)
		uputc("0123456789abcdef"[(v >> (i * 4)) & 15]);
}

static void uputdec(u64 v)
{
	char buf[24];
	int n = 0;
	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		uputc(buf[--n]);
}

/* Values of these instructions are deliberately discarded (sink only). */
static void side_instructions(u64 blk, u64 flags)
{
	u32 a, b, c, d;
	u64 r;
	unsigned char ok;

	if ((blk & 7) == 0) { /* CPUID traps to the outer hypervisor (~25 us here) */
		cpuid(0, 0, &a, &b, &c, &d);
		user_sink = ((u64)a << 32) ^ b ^ c ^ d;
	}
	user_sink = rdtsc();
	if (flags & PCM_FLAG_RDRAND) {
		__asm__ volatile("rdrand %0; setc %1" : "=r"(r), "=qm"(ok) : : "cc");
		user_sink = r ^ ok;
	}
	if (flags & PCM_FLAG_RDSEED) {
		__asm__ volatile("rdseed %0; setc %1" : "=r"(r), "=qm"(ok) : : "cc");
		user_sink = r ^ ok;
	}
}

void __attribute__((noreturn)) user_main(u64 param, u64 flags, u64 ram_size)
{
	u64 state = PRNG_SEED, h = HASH_INIT;
	u64 nslots = ram_size > WORK_BASE + BLOCK_SIZE ? (ram_size - WORK_BASE) / BLOCK_SIZE : 1;

	if (nslots > WORK_SLOTS)
		nslots = WORK_SLOTS;
	u64 step = (param + 7) / 8;

	for (u64 blk = 0; blk < param; blk++) {
		u64 *p = (u64 *)(WORK_BASE + (blk % nslots) * BLOCK_SIZE);

		/* generate: xorshift64* */
		for (unsigned i = 0; i < BLOCK_SIZE / 8; i++) {
			u64 x = state;
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			state = x;
			p[i] = x * 0x2545F4914F6CDD1DUL;
		}
		side_instructions(blk, flags);
		/* hash */
		for (unsigned i = 0; i < BLOCK_SIZE / 8; i++) {
			h = (h ^ p[i]) * HASH_MUL;
			h ^= h >> 29;
		}
		if ((blk + 1) % step == 0 || blk + 1 == param) {
			mmio_write64(TESTDEV_BASE + TESTDEV_PROGRESS, blk + 1);
			uputs("progress ");
			uputdec(blk + 1);
			uputc('/');
			uputdec(param);
			uputc(' ');
			uputhex(h);
			uputc('\n');
		}
	}
	__asm__ volatile("int3" : : "a"((u64)SYS_FINISH), "D"(h) : "memory");
	for (;;)
		;
}
