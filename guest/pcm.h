/* Shared definitions of the PCM default guest (kernel and user part). */
#ifndef PCM_H
#define PCM_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long u64;
typedef long i64;

/* Boot info at 0x8000 (docs/guest-contract.md). */
struct pcm_boot_info {
	u64 magic;      /* PCM_BOOT_MAGIC */
	u64 ram_size;   /* bytes */
	u64 param;      /* number of 4 KiB blocks, >= 1 */
	u64 flags;      /* bit 0: RDRAND allowed, bit 1: RDSEED allowed */
	u64 timer_hz;   /* PIT rate to program, 0 = no timer */
};
#define PCM_BOOT_MAGIC 0x31544F4F424D4350UL /* "PCMBOOT1" */
#define PCM_FLAG_RDRAND 1UL
#define PCM_FLAG_RDSEED 2UL

/* PCM test device (MMIO). */
#define TESTDEV_BASE     0xFEB00000UL
#define TESTDEV_ID       0x00
#define TESTDEV_PARAM    0x08
#define TESTDEV_SCRATCH  0x10
#define TESTDEV_PROGRESS 0x18
#define TESTDEV_RESULT   0x20
#define TESTDEV_POWEROFF 0x28
#define TESTDEV_ID_VALUE 0x0000000150434D31UL /* "PCM1", version 1 */

/* COM1 */
#define UART_BASE 0x3F8
#define UART_LSR  (UART_BASE + 5)
#define UART_LSR_THRE 0x20

/* Selectors of the guest's own GDT. */
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA 0x1B /* GDT index 3, RPL 3 */
#define SEL_UCODE 0x23 /* GDT index 4, RPL 3 */
#define SEL_TSS   0x28 /* GDT index 5 (16-byte descriptor) */

/* System calls (int3 from CPL3, number in RAX, argument in RDI). */
#define SYS_FINISH 1   /* RDI = final hash; does not return */

/* Workload data area: block i is written to WORK_BASE + (i mod WORK_SLOTS)
 * * BLOCK_SIZE (fewer slots if RAM is smaller); the image, its .bss and
 * the stacks stay below 2 MiB. */
#define WORK_BASE 0x400000UL
#define WORK_SLOTS 256UL       /* ring of 256 blocks = 1 MiB */
#define BLOCK_SIZE 4096UL

static inline void mmio_write64(u64 addr, u64 v)
{
	*(volatile u64 *)addr = v;
}

static inline u64 mmio_read64(u64 addr)
{
	return *(volatile u64 *)addr;
}

static inline void outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline u8 inb(u16 port)
{
	u8 v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

#endif
