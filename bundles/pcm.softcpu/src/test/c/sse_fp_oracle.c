/*
 * The host CPU as the oracle of pcm.softcpu.internal.sse.fp (SseFloatOracleTest): reads lines
 * "OP MXCSR A B" (hex, B ignored by unary ops), executes OP natively with MXCSR loaded (flags cleared),
 * and prints "RESULT MXCSR_AFTER FAULTED" (hex, FAULTED 1 when an unmasked exception raised SIGFPE: the
 * MXCSR is then the one saved at the fault). Scalar forms, plus addps2/mulps2 (two float32 lanes per
 * operand) for how a packed instruction merges the lanes' flags.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

static sigjmp_buf env;
static volatile uint32_t fault_mxcsr;

static void on_fpe(int sig, siginfo_t *si, void *ctx) {
    (void) sig; (void) si;
    ucontext_t *uc = ctx;
    fault_mxcsr = uc->uc_mcontext.fpregs->mxcsr;
    siglongjmp(env, 1);
}

static const uint32_t SANE = 0x1F80;

/* xmm0 = a, xmm1 = b, ldmxcsr, INSN, stmxcsr, result from xmm0 (or rflags for comis). */
#define RUN_XMM(INSN)                                                                              \
    __asm__ volatile("movq %2, %%xmm0\n\tmovq %3, %%xmm1\n\tldmxcsr %1\n\t" INSN "\n\t"            \
                     "stmxcsr %1\n\tldmxcsr %4\n\tmovq %%xmm0, %0"                                  \
                     : "=r"(r), "+m"(mx) : "r"(a), "r"(b), "m"(SANE) : "xmm0", "xmm1", "memory")
#define RUN_FLAGS(INSN)                                                                            \
    __asm__ volatile("movq %2, %%xmm0\n\tmovq %3, %%xmm1\n\tldmxcsr %1\n\t" INSN "\n\t"            \
                     "pushfq\n\tpopq %0\n\tstmxcsr %1\n\tldmxcsr %4"                                \
                     : "=r"(r), "+m"(mx) : "r"(a), "r"(b), "m"(SANE) : "xmm0", "xmm1", "memory", "cc")
#define RUN_TOINT(INSN)                                                                            \
    __asm__ volatile("movq %2, %%xmm0\n\tldmxcsr %1\n\t" INSN "\n\t"                                \
                     "stmxcsr %1\n\tldmxcsr %3"                                                     \
                     : "=r"(r), "+m"(mx) : "r"(a), "m"(SANE) : "xmm0", "memory")
#define RUN_FROMINT(INSN)                                                                          \
    __asm__ volatile("pxor %%xmm0, %%xmm0\n\tldmxcsr %1\n\t" INSN "\n\t"                            \
                     "stmxcsr %1\n\tldmxcsr %3\n\tmovq %%xmm0, %0"                                  \
                     : "=r"(r), "+m"(mx) : "r"(a), "m"(SANE) : "xmm0", "memory")

static int run(const char *op, uint64_t a, uint64_t b, uint32_t *mxp, uint64_t *rp) {
    uint32_t mx = *mxp;
    uint64_t r = 0;
    volatile int found = 1;
    if (sigsetjmp(env, 1)) {
        __asm__ volatile("ldmxcsr %0" : : "m"(SANE));
        *mxp = fault_mxcsr;
        *rp = 0;
        return 1;
    }
#define X(NAME, BODY) else if (!strcmp(op, NAME)) { BODY; }
    if (0) {}
    X("addss", RUN_XMM("addss %%xmm1, %%xmm0"))
    X("subss", RUN_XMM("subss %%xmm1, %%xmm0"))
    X("mulss", RUN_XMM("mulss %%xmm1, %%xmm0"))
    X("divss", RUN_XMM("divss %%xmm1, %%xmm0"))
    X("sqrtss", RUN_XMM("sqrtss %%xmm0, %%xmm0"))
    X("minss", RUN_XMM("minss %%xmm1, %%xmm0"))
    X("maxss", RUN_XMM("maxss %%xmm1, %%xmm0"))
    X("addsd", RUN_XMM("addsd %%xmm1, %%xmm0"))
    X("subsd", RUN_XMM("subsd %%xmm1, %%xmm0"))
    X("mulsd", RUN_XMM("mulsd %%xmm1, %%xmm0"))
    X("divsd", RUN_XMM("divsd %%xmm1, %%xmm0"))
    X("sqrtsd", RUN_XMM("sqrtsd %%xmm0, %%xmm0"))
    X("minsd", RUN_XMM("minsd %%xmm1, %%xmm0"))
    X("maxsd", RUN_XMM("maxsd %%xmm1, %%xmm0"))
    X("cmpss0", RUN_XMM("cmpss $0, %%xmm1, %%xmm0"))
    X("cmpss1", RUN_XMM("cmpss $1, %%xmm1, %%xmm0"))
    X("cmpss2", RUN_XMM("cmpss $2, %%xmm1, %%xmm0"))
    X("cmpss3", RUN_XMM("cmpss $3, %%xmm1, %%xmm0"))
    X("cmpss4", RUN_XMM("cmpss $4, %%xmm1, %%xmm0"))
    X("cmpss5", RUN_XMM("cmpss $5, %%xmm1, %%xmm0"))
    X("cmpss6", RUN_XMM("cmpss $6, %%xmm1, %%xmm0"))
    X("cmpss7", RUN_XMM("cmpss $7, %%xmm1, %%xmm0"))
    X("cmpsd0", RUN_XMM("cmpsd $0, %%xmm1, %%xmm0"))
    X("cmpsd1", RUN_XMM("cmpsd $1, %%xmm1, %%xmm0"))
    X("cmpsd2", RUN_XMM("cmpsd $2, %%xmm1, %%xmm0"))
    X("cmpsd3", RUN_XMM("cmpsd $3, %%xmm1, %%xmm0"))
    X("cmpsd4", RUN_XMM("cmpsd $4, %%xmm1, %%xmm0"))
    X("cmpsd5", RUN_XMM("cmpsd $5, %%xmm1, %%xmm0"))
    X("cmpsd6", RUN_XMM("cmpsd $6, %%xmm1, %%xmm0"))
    X("cmpsd7", RUN_XMM("cmpsd $7, %%xmm1, %%xmm0"))
    X("comiss", RUN_FLAGS("comiss %%xmm1, %%xmm0"))
    X("ucomiss", RUN_FLAGS("ucomiss %%xmm1, %%xmm0"))
    X("comisd", RUN_FLAGS("comisd %%xmm1, %%xmm0"))
    X("ucomisd", RUN_FLAGS("ucomisd %%xmm1, %%xmm0"))
    X("cvtsi2ss", RUN_FROMINT("cvtsi2ssl %k2, %%xmm0"))
    X("cvtsi2ssq", RUN_FROMINT("cvtsi2ssq %2, %%xmm0"))
    X("cvtsi2sd", RUN_FROMINT("cvtsi2sdl %k2, %%xmm0"))
    X("cvtsi2sdq", RUN_FROMINT("cvtsi2sdq %2, %%xmm0"))
    X("cvtss2si", RUN_TOINT("cvtss2si %%xmm0, %k0"))
    X("cvtss2siq", RUN_TOINT("cvtss2si %%xmm0, %q0"))
    X("cvttss2si", RUN_TOINT("cvttss2si %%xmm0, %k0"))
    X("cvttss2siq", RUN_TOINT("cvttss2si %%xmm0, %q0"))
    X("cvtsd2si", RUN_TOINT("cvtsd2si %%xmm0, %k0"))
    X("cvtsd2siq", RUN_TOINT("cvtsd2si %%xmm0, %q0"))
    X("cvttsd2si", RUN_TOINT("cvttsd2si %%xmm0, %k0"))
    X("cvttsd2siq", RUN_TOINT("cvttsd2si %%xmm0, %q0"))
    X("cvtss2sd", RUN_XMM("cvtss2sd %%xmm0, %%xmm0"))
    /* packed, two float32 lanes in A and B (movq zeroes lanes 2-3: 0+0, 0*0 raise nothing) */
    X("addps2", RUN_XMM("addps %%xmm1, %%xmm0"))
    X("mulps2", RUN_XMM("mulps %%xmm1, %%xmm0"))
    X("cvtsd2ss", RUN_XMM("cvtsd2ss %%xmm0, %%xmm0"))
    else found = 0;
#undef X
    if (!found) { fprintf(stderr, "unknown op %s\n", op); exit(2); }
    /* The 32-bit results: the register's upper half is not part of the answer. */
    if (!strcmp(op, "cvtss2si") || !strcmp(op, "cvttss2si") || !strcmp(op, "cvtsd2si") || !strcmp(op, "cvttsd2si")
        || (strstr(op, "ss") && !strstr(op, "2sd") && !strstr(op, "2si") && !strstr(op, "comiss"))
        || !strcmp(op, "cvtsd2ss") || !strcmp(op, "cvtsi2ss") || !strcmp(op, "cvtsi2ssq"))
        r &= 0xFFFFFFFFu;
    if (strstr(op, "comis")) r &= 0x45;
    *mxp = mx;
    *rp = r;
    return 0;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fpe;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGFPE, &sa, NULL);
    char line[256], op[32];
    unsigned long long a, b;
    unsigned mx;
    while (fgets(line, sizeof line, stdin)) {
        if (sscanf(line, "%31s %x %llx %llx", op, &mx, &a, &b) != 4) { fprintf(stderr, "bad line: %s", line); return 2; }
        uint32_t m = mx;
        uint64_t r;
        int faulted = run(op, a, b, &m, &r);
        printf("%llx %x %d\n", (unsigned long long) r, m, faulted);
    }
    return 0;
}
