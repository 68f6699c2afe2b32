/*
 * Native ground truth for the soft CPU's differential test (issue 13 item 4): runs user-mode
 * instruction sequences on the host CPU, one trap per instruction, and reports the state after each.
 *
 * Layout (the same guest-physical = virtual addresses DiffRig gives the interpreter):
 *   CODE    0x10000  one page, RWX, the sequence then HLT (0xF4) to the end of the page
 *   SCRATCH 0x20000  two pages (memory operands, some straddling the page boundary)
 *   HOLE    0x22000  one page, PROT_NONE (not present for the interpreter): operands straddling into it fault
 *   STACK   0x2F000  one page, the sequence's RSP starts at 0x2F800
 * mapped with MAP_FIXED_NOREPLACE so that nothing of the runner itself lives there.
 *
 * The trampoline is the kernel's signal return: the runner executes INT3; its SIGTRAP handler saves
 * the runner's context, replaces every GPR, RIP, RFLAGS (with TF) and the FXSAVE image (x87, MXCSR,
 * XMM) in the signal frame with the sequence's, and returns into the sequence. Every instruction
 * (every REP iteration) then ends in a single-step SIGTRAP whose handler records the GPRs, RIP,
 * RFLAGS, optionally the FXSAVE image, and the 8-byte words of SCRATCH/STACK that changed. A fault
 * (SIGSEGV/SIGBUS/SIGFPE/SIGILL) is recorded with the x86 vector and error code the kernel puts in
 * the frame (REG_TRAPNO/REG_ERR), and ends the sequence like reaching its end does: the handler puts
 * the saved runner context back. The handlers run on an alternate stack so that the sequence's
 * stack page is never written by the kernel.
 *
 * Protocol on stdin/stdout (little endian): hello = "PCMN", vendor[12], u32 CPUID.1.EAX, hypervisor signature[12]
 * (CPUID 0x40000000 EBX:ECX:EDX, zeros on bare metal). Request =
 * u32 codeLen (0: exit), u32 maxSteps, u32 flags (bit 0: report the FXSAVE image per step),
 * u64 regs[16] (x86 order), u64 rflags, u8 fxsave[512], code, scratch[0x2000], stack[0x1000].
 * Response = records {u32 vector (1 step, else the fault vector, 0xFFFFFFFF end), u32 ndelta,
 * u64 err, u64 regs[16], u64 rip, u64 rflags, [fxsave[512]], ndelta x {u64 addr, u64 value}}.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>
#include <cpuid.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define CODE 0x10000UL
#define SCRATCH 0x20000UL
#define SCRATCH_SIZE 0x2000UL
#define STACK 0x2F000UL
#define STACK_SIZE 0x1000UL

static const int GREG[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                             REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};

enum { IDLE, ENTER, RUN };
static volatile int phase = IDLE;
static greg_t saved_gregs[NGREG];
static uint8_t saved_fp[512];
static uint64_t in_regs[16], in_flags, end_rip;
static uint8_t in_fp[512];
static uint32_t max_steps, steps, want_fp;
static uint8_t shadow_scratch[SCRATCH_SIZE], shadow_stack[STACK_SIZE];
static uint8_t *out;
static size_t out_len, out_cap = 64 << 20;

static void put(const void *p, size_t n) {
    if (out_len + n > out_cap) _exit(3); /* far beyond any sequence's trace */
    memcpy(out + out_len, p, n);
    out_len += n;
}

static void deltas(uint8_t *shadow, uint64_t base, size_t size, uint32_t *n) {
    const uint64_t *now = (const uint64_t *) base;
    uint64_t *sh = (uint64_t *) shadow;
    for (size_t i = 0; i < size / 8; i++) {
        if (now[i] != sh[i]) {
            uint64_t rec[2] = {base + 8 * i, now[i]};
            put(rec, 16);
            sh[i] = now[i];
            (*n)++;
        }
    }
}

static void record(uint32_t vector, ucontext_t *uc) {
    greg_t *g = uc->uc_mcontext.gregs;
    size_t head = out_len;
    uint32_t v[2] = {vector, 0};
    put(v, 8);
    uint64_t err = vector == 1 ? 0 : (uint64_t) g[REG_ERR];
    put(&err, 8);
    for (int i = 0; i < 16; i++) put(&g[GREG[i]], 8);
    put(&g[REG_RIP], 8);
    put(&g[REG_EFL], 8);
    if (want_fp) put(uc->uc_mcontext.fpregs, 512);
    uint32_t n = 0;
    deltas(shadow_scratch, SCRATCH, SCRATCH_SIZE, &n);
    deltas(shadow_stack, STACK, STACK_SIZE, &n);
    memcpy(out + head + 4, &n, 4);
}

/* The legacy FXSAVE area of the frame is loaded on sigreturn only if XSTATE_BV says x87/SSE are in use. */
static void mark_fp_used(ucontext_t *uc) {
    uint8_t *fp = (uint8_t *) uc->uc_mcontext.fpregs;
    uint32_t magic1;
    memcpy(&magic1, fp + 464, 4);
    if (magic1 == 0x46505853U) fp[512] |= 3;
}

static void leave(ucontext_t *uc) {
    memcpy(uc->uc_mcontext.gregs, saved_gregs, sizeof saved_gregs);
    memcpy(uc->uc_mcontext.fpregs, saved_fp, 512);
    mark_fp_used(uc);
    phase = IDLE;
}

static void on_trap(int sig, siginfo_t *si, void *ctx) {
    (void) sig;
    (void) si;
    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    if (phase == ENTER) {
        memcpy(saved_gregs, g, sizeof saved_gregs);
        memcpy(saved_fp, uc->uc_mcontext.fpregs, 512);
        for (int i = 0; i < 16; i++) g[GREG[i]] = (greg_t) in_regs[i];
        g[REG_RIP] = CODE;
        g[REG_EFL] = (greg_t) (in_flags | 0x302);
        memcpy(uc->uc_mcontext.fpregs, in_fp, 512);
        mark_fp_used(uc);
        steps = 0;
        phase = RUN;
        return;
    }
    if (phase != RUN) _exit(4);
    record(1, uc);
    if ((uint64_t) g[REG_RIP] == end_rip || ++steps >= max_steps) leave(uc);
}

static void on_fault(int sig, siginfo_t *si, void *ctx) {
    (void) si;
    ucontext_t *uc = ctx;
    if (phase != RUN) { /* the runner itself crashed */
        signal(sig, SIG_DFL);
        return;
    }
    record((uint32_t) uc->uc_mcontext.gregs[REG_TRAPNO], uc);
    leave(uc);
}

static int read_full(void *p, size_t n) {
    uint8_t *b = p;
    while (n > 0) {
        ssize_t r = read(0, b, n);
        if (r <= 0) return -1;
        b += r;
        n -= (size_t) r;
    }
    return 0;
}

static void write_full(const void *p, size_t n) {
    const uint8_t *b = p;
    while (n > 0) {
        ssize_t r = write(1, b, n);
        if (r <= 0) _exit(5);
        b += r;
        n -= (size_t) r;
    }
}

static void map(uint64_t at, size_t size, int prot) {
    void *p = mmap((void *) at, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != (void *) at) {
        fprintf(stderr, "native_runner: cannot map %#lx (%zu bytes) at a fixed address\n", (unsigned long) at, size);
        exit(2);
    }
}

int main(void) {
    map(CODE, 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC);
    map(SCRATCH, SCRATCH_SIZE, PROT_READ | PROT_WRITE);
    map(STACK, STACK_SIZE, PROT_READ | PROT_WRITE);
    map(SCRATCH + SCRATCH_SIZE, 0x1000, PROT_NONE); /* the hole after the scratch area: straddling operands fault */
    out = malloc(out_cap);
    static uint8_t altstack[1 << 16];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    struct sigaction sa = {0};
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sa.sa_sigaction = on_trap;
    sigaction(SIGTRAP, &sa, NULL);
    sa.sa_sigaction = on_fault;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);

    unsigned a, b, c, d;
    __cpuid(0, a, b, c, d);
    char hello[32] = "PCMN";
    memcpy(hello + 4, &b, 4);
    memcpy(hello + 8, &d, 4);
    memcpy(hello + 12, &c, 4);
    __cpuid(1, a, b, c, d);
    memcpy(hello + 16, &a, 4);
    /* the hypervisor leaf's signature ("TCGTCGTCGTCG" under QEMU's emulator; zeros without the hypervisor bit) */
    memset(hello + 20, 0, 12);
    if (c & (1u << 31)) {
        __cpuid(0x40000000, a, b, c, d);
        memcpy(hello + 20, &b, 4);
        memcpy(hello + 24, &c, 4);
        memcpy(hello + 28, &d, 4);
    }
    write_full(hello, 32);

    for (;;) {
        uint32_t hdr[3];
        if (read_full(hdr, 12) < 0 || hdr[0] == 0) return 0;
        if (hdr[0] > 0x1000) return 6;
        max_steps = hdr[1];
        want_fp = hdr[2] & 1;
        if (read_full(in_regs, 128) || read_full(&in_flags, 8) || read_full(in_fp, 512)) return 7;
        memset((void *) CODE, 0xF4, 0x1000);
        if (read_full((void *) CODE, hdr[0]) || read_full((void *) SCRATCH, SCRATCH_SIZE) ||
            read_full((void *) STACK, STACK_SIZE)) return 7;
        memcpy(shadow_scratch, (void *) SCRATCH, SCRATCH_SIZE);
        memcpy(shadow_stack, (void *) STACK, STACK_SIZE);
        end_rip = CODE + hdr[0];
        out_len = 0;
        phase = ENTER;
        __asm__ volatile("int3" ::: "memory");
        uint8_t endrec[8 + 8 + 18 * 8 + 512] = {0};
        memset(endrec, 0xFF, 4);
        put(endrec, 8 + 8 + 18 * 8 + (want_fp ? 512 : 0));
        write_full(out, out_len);
    }
}
