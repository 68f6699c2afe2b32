/*
 * PCM default guest: entry point, segment loading, the CPL3 entry, and
 * the interrupt/exception stubs.  Kernel part (CPL0): everything here runs
 * in KVM's instruction emulator on PVM hosts, so only emulator-safe
 * instructions are used (see README.md, check-insns.sh).
 */
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA 0x1B
#define SEL_UCODE 0x23
#define SEL_TSS   0x28

	.code64
	.section .text.entry, "ax"
	.globl _start
_start:
	/* Entry state (contract): long mode, CS=0x08, RSP=0x90000,
	 * RSI=0x8000 (boot info), IF=0.  Clear .bss, then kmain(bootinfo). */
	movq	%rsi, %r12
	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	shrl	$3, %ecx
	xorl	%eax, %eax
	cld
	rep stosq
	movq	%r12, %rdi
	call	kmain
1:	cli
	hlt
	jmp	1b

	.text
/* void gdt_load(const void *gdtr): lgdt, reload CS (lretq), data segments, TR */
	.globl gdt_load
gdt_load:
	lgdt	(%rdi)
	pushq	$SEL_KCODE
	leaq	1f(%rip), %rax
	pushq	%rax
	lretq
1:	movl	$SEL_KDATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	movl	$SEL_TSS, %eax
	ltr	%ax
	ret

/* void idt_load(const void *idtr) */
	.globl idt_load
idt_load:
	lidt	(%rdi)
	ret

/* noreturn void enter_user(u64 rip, u64 rsp, u64 a0, u64 a1, u64 a2):
 * iretq to CPL3 with IF=1, IOPL=0; a0..a2 arrive in RDI, RSI, RDX. */
	.globl enter_user
enter_user:
	pushq	$SEL_UDATA		/* SS */
	pushq	%rsi			/* RSP */
	pushq	$0x202			/* RFLAGS: IF */
	pushq	$SEL_UCODE		/* CS */
	pushq	%rdi			/* RIP */
	movq	%rdx, %rdi
	movq	%rcx, %rsi
	movq	%r8, %rdx
	xorl	%eax, %eax
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%ebp, %ebp
	xorl	%r8d, %r8d
	xorl	%r9d, %r9d
	xorl	%r10d, %r10d
	xorl	%r11d, %r11d
	xorl	%r12d, %r12d
	xorl	%r13d, %r13d
	xorl	%r14d, %r14d
	xorl	%r15d, %r15d
	iretq

/* ---- exceptions 0..31: push (dummy) error code and vector, common path ---- */
	.macro EXC_NOERR n
exc\n:	pushq	$0
	pushq	$\n
	jmp	exc_common
	.endm
	.macro EXC_ERR n
exc\n:	pushq	$\n
	jmp	exc_common
	.endm

	EXC_NOERR 0
	EXC_NOERR 1
	EXC_NOERR 2
	EXC_NOERR 3
	EXC_NOERR 4
	EXC_NOERR 5
	EXC_NOERR 6
	EXC_NOERR 7
	EXC_ERR   8
	EXC_NOERR 9
	EXC_ERR   10
	EXC_ERR   11
	EXC_ERR   12
	EXC_ERR   13
	EXC_ERR   14
	EXC_NOERR 15
	EXC_NOERR 16
	EXC_ERR   17
	EXC_NOERR 18
	EXC_NOERR 19
	EXC_NOERR 20
	EXC_ERR   21
	EXC_NOERR 22
	EXC_NOERR 23
	EXC_NOERR 24
	EXC_NOERR 25
	EXC_NOERR 26
	EXC_NOERR 27
	EXC_NOERR 28
	EXC_ERR   29
	EXC_ERR   30
	EXC_NOERR 31

/* Frame for exc_dispatch(struct exc_frame *): r15..rax, vec, err, rip, cs, rflags, rsp, ss */
exc_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, %rdi
	cld
	call	exc_dispatch
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp
	iretq

/* ---- IRQs: a few instructions each, EOI to the PIC with out ---- */
	.globl irq_timer
irq_timer:				/* vector 0x20, IRQ 0 (PIT) */
	pushq	%rax
	incq	timer_ticks
	movb	$0x20, %al
	outb	%al, $0x20
	popq	%rax
	iretq

	.globl irq_master
irq_master:				/* vectors 0x21..0x27 */
	pushq	%rax
	movb	$0x20, %al
	outb	%al, $0x20
	popq	%rax
	iretq

	.globl irq_slave
irq_slave:				/* vectors 0x28..0x2F */
	pushq	%rax
	movb	$0x20, %al
	outb	%al, $0xA0
	outb	%al, $0x20
	popq	%rax
	iretq

	.section .rodata
	.balign 8
	.globl exc_stubs
exc_stubs:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad exc\n
	.endr

	.section .note.GNU-stack, "", @progbits
