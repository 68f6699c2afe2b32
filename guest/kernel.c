/*
 * PCM default guest, kernel part (CPL0).
 *
 * On PVM hosts every CPL0 instruction goes through KVM's instruction
 * emulator (~0.6 us each, and many instructions are not supported there),
 * so this part is kept small and uses only the instructions listed as OK in
 * shared/kvm-on-this-machine.md section 6.  check-insns.sh verifies the
 * disassembly.  The workload itself runs at CPL3 (user.c).
 */
#include "pcm.h"

/* start.S */
extern void gdt_load(const void *gdtr);
extern void idt_load(const void *idtr);
extern void enter_user(u64 rip, u64 rsp, u64 a0, u64 a1, u64 a2) __attribute__((noreturn));
extern const u64 exc_stubs[32];
extern char irq_timer[], irq_master[], irq_slave[];
/* user.c */
extern void user_main(u64 param, u64 flags, u64 ram_size) __attribute__((noreturn));

struct exc_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vec, err;
	u64 rip, cs, rflags, rsp, ss;
};

struct tss64 {
	u32 reserved0;
	u64 rsp0, rsp1, rsp2;
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
	u8 iomap[0x400 / 8 + 1]; /* ports 0..0x3FF, then the 0xFF terminator */
} __attribute__((packed));

struct idt_gate {
	u16 off_lo, sel;
	u8 ist, type_attr;
	u16 off_mid;
	u32 off_hi, zero;
};

struct desc_ptr {
	u16 limit;
	u64 base;
} __attribute__((packed));

#define KSTACK_SIZE 16384
#define USTACK_SIZE 16384
static u8 kstack[KSTACK_SIZE] __attribute__((aligned(4096)));
static u8 ustack[USTACK_SIZE] __attribute__((aligned(4096)));
/*
 * #DF runs on a stack of its own (IST1), as in Linux: a fault with a broken RSP (a wild return, a bad frame) still
 * reaches panic() and prints where it happened instead of ending in a silent triple fault.
 */
#define DFSTACK_SIZE 4096
static u8 dfstack[DFSTACK_SIZE] __attribute__((aligned(4096)));
static struct idt_gate idt[256] __attribute__((aligned(4096)));
static struct tss64 tss __attribute__((aligned(128)));
static u64 gdt[7] __attribute__((aligned(16)));

volatile u64 timer_ticks;      /* incremented by irq_timer (start.S) */
static u64 timer_hz;
volatile u64 kernel_sink;      /* CPL0 rdtsc lands here, never printed */

/* ---- UART (polled) ---- */
static void uart_init(void)
{
	outb(UART_BASE + 1, 0x00); /* IER: no interrupts */
	outb(UART_BASE + 3, 0x80); /* LCR: DLAB */
	outb(UART_BASE + 0, 0x01); /* divisor 1 = 115200 baud */
	outb(UART_BASE + 1, 0x00);
	outb(UART_BASE + 3, 0x03); /* 8N1 */
	outb(UART_BASE + 2, 0xC7); /* FIFO on, cleared */
	outb(UART_BASE + 4, 0x03); /* DTR, RTS (OUT2 off: IRQ 4 stays quiet) */
}

static void kputc(char c)
{
	while (!(inb(UART_LSR) & UART_LSR_THRE))
		;
	outb(UART_BASE, (u8)c);
}

static void kputs(const char *s)
{
	while (*s)
		kputc(*s++);
}

static void kputhex(u64 v, int digits)
{
	for (int i = digits - 1; i >= 0; i--)
		kputc("0123456789abcdef"[(v >> (i * 4)) & 15]);
}

static void kput4(u32 r) /* 4 characters of a CPUID vendor register */
{
	for (int i = 0; i < 4; i++)
		kputc((char)(r >> (8 * i)));
}

static void kputdec(u64 v)
{
	char buf[24];
	int n = 0;
	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		kputc(buf[--n]);
}

static __attribute__((noreturn)) void poweroff(u64 status)
{
	mmio_write64(TESTDEV_BASE + TESTDEV_POWEROFF, status);
	for (;;)
		__asm__ volatile("cli; hlt");
}

static __attribute__((noreturn)) void panic(u64 vec, u64 err, u64 rip, u64 cs, u64 rsp)
{
	u64 cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	kputs("PCM-GUEST-PANIC vec=");
	kputhex(vec, 2);
	kputs(" err=");
	kputhex(err, 16);
	kputs(" rip=");
	kputhex(rip, 16);
	kputs(" cs=");
	kputhex(cs, 4);
	kputs(" rsp=");
	kputhex(rsp, 16);
	kputs(" cr2=");
	kputhex(cr2, 16);
	kputc('\n');
	poweroff(0xDEAD);
}

/* ---- descriptor tables ---- */
static void set_gate(int vec, const void *handler, int dpl, int ist)
{
	u64 a = (u64)handler;
	idt[vec].off_lo = (u16)a;
	idt[vec].sel = SEL_KCODE;
	idt[vec].ist = (u8)ist;
	idt[vec].type_attr = (u8)(0x8E | (dpl << 5)); /* present, 64-bit interrupt gate */
	idt[vec].off_mid = (u16)(a >> 16);
	idt[vec].off_hi = (u32)(a >> 32);
	idt[vec].zero = 0;
}

static void cpu_tables_init(void)
{
	struct desc_ptr p;
	u64 base = (u64)&tss, limit = sizeof(tss) - 1;

	tss.rsp0 = (u64)(kstack + KSTACK_SIZE);
	tss.ist[0] = (u64)(dfstack + DFSTACK_SIZE);
	tss.iomap_base = (u16)__builtin_offsetof(struct tss64, iomap);
	for (unsigned i = 0; i < sizeof(tss.iomap); i++)
		tss.iomap[i] = 0xFF;          /* deny all ports ... */
	tss.iomap[UART_BASE / 8] = 0x00;      /* ... except 0x3F8..0x3FF (COM1) */

	/*
	 * Accessed bits pre-set, as Linux does: the CPU sets them on the first load, but QEMU's TCG does not on a
	 * far return (docs/svm-host.md, cause 4), so a window recorded there would show a GDT byte the replay
	 * writes differently. Pre-set, no load writes the GDT at all.
	 */
	gdt[0] = 0;
	gdt[1] = 0x00AF9B000000FFFFUL;        /* 0x08 kernel code, 64-bit, DPL0 */
	gdt[2] = 0x00CF93000000FFFFUL;        /* 0x10 kernel data */
	gdt[3] = 0x00CFF3000000FFFFUL;        /* 0x18 user data, DPL3 */
	gdt[4] = 0x00AFFB000000FFFFUL;        /* 0x20 user code, 64-bit, DPL3 */
	gdt[5] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89UL << 40) |
		 (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
	gdt[6] = base >> 32;                  /* 0x28 64-bit TSS (available) */
	p.limit = sizeof(gdt) - 1;
	p.base = (u64)gdt;
	gdt_load(&p);

	for (int v = 0; v < 32; v++)
		set_gate(v, (const void *)exc_stubs[v], v == 3 ? 3 : 0, v == 8); /* #BP = system call; #DF on IST1 */
	set_gate(0x20, irq_timer, 0, 0);
	for (int v = 0x21; v < 0x28; v++)
		set_gate(v, irq_master, 0, 0);
	for (int v = 0x28; v < 0x30; v++)
		set_gate(v, irq_slave, 0, 0);
	p.limit = sizeof(idt) - 1;
	p.base = (u64)idt;
	idt_load(&p);
}

/* ---- PIC + PIT ---- */
static void pic_init(int timer_on)
{
	outb(0x20, 0x11); outb(0xA0, 0x11);   /* ICW1: edge, cascade, ICW4 */
	outb(0x21, 0x20); outb(0xA1, 0x28);   /* ICW2: vector bases */
	outb(0x21, 0x04); outb(0xA1, 0x02);   /* ICW3: slave on IRQ 2 */
	outb(0x21, 0x01); outb(0xA1, 0x01);   /* ICW4: 8086 mode */
	outb(0x21, timer_on ? 0xFE : 0xFF);   /* OCW1: only IRQ 0 unmasked */
	outb(0xA1, 0xFF);
}

static void pit_init(u64 hz)
{
	u64 div = (1193182 + hz / 2) / hz;
	if (div < 1)
		div = 1;
	if (div > 65535)
		div = 0; /* 65536 */
	outb(0x43, 0x34);                     /* channel 0, lo/hi, mode 2 */
	outb(0x40, (u8)div);
	outb(0x40, (u8)(div >> 8));
}

/* ---- exceptions and the system call ---- */
static __attribute__((noreturn)) void sys_finish(u64 hash)
{
	if (timer_hz) {
		/* Wait for a few timer ticks in the idle loop. */
		u64 target = timer_ticks + 3;
		while ((i64)(timer_ticks - target) < 0)
			__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
	kputs("PCM-GUEST-DONE ");
	kputhex(hash, 16);
	kputc('\n');
	mmio_write64(TESTDEV_BASE + TESTDEV_RESULT, hash);
	/* Not part of the console: the tick count goes to the scratch register. */
	mmio_write64(TESTDEV_BASE + TESTDEV_SCRATCH, timer_ticks);
	poweroff(0);
}

void exc_dispatch(struct exc_frame *f)
{
	if (f->vec == 3 && (f->cs & 3) == 3) {
		if (f->rax == SYS_FINISH)
			sys_finish(f->rdi);
		f->rax = (u64)-1;
		return;
	}
	panic(f->vec, f->err, f->rip, f->cs, f->rsp);
}

/* ---- main ---- */
void kmain(const struct pcm_boot_info *bi)
{
	u32 a, b, c, d;
	u64 id, param;

	uart_init();
	if (bi->magic != PCM_BOOT_MAGIC) {
		kputs("PCM-GUEST-PANIC bad boot info\n");
		poweroff(0xDEAD);
	}
	timer_hz = bi->timer_hz;
	cpu_tables_init();
	pic_init(timer_hz != 0);
	if (timer_hz)
		pit_init(timer_hz);

	kputs("PCM default guest 1\n");
	cpuid(0, 0, &a, &b, &c, &d);
	kputs("cpu vendor ");
	kput4(b);
	kput4(d);
	kput4(c);
	kputc('\n');

	id = mmio_read64(TESTDEV_BASE + TESTDEV_ID);
	param = mmio_read64(TESTDEV_BASE + TESTDEV_PARAM);
	kputs("testdev id ");
	kputhex(id, 16);
	kputs(" param ");
	kputdec(param);
	kputc('\n');
	if (id != TESTDEV_ID_VALUE || param != bi->param) {
		kputs("PCM-GUEST-PANIC test device mismatch\n");
		poweroff(0xDEAD);
	}
	if (param == 0)
		param = 1;
	kernel_sink = rdtsc();

	kputs("workload ");
	kputdec(param);
	kputs(" blocks of 4096 bytes\n");
	enter_user((u64)user_main, (u64)(ustack + USTACK_SIZE - 8), param, bi->flags, bi->ram_size);
}
