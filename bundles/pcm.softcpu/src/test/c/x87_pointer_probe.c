/*
 * The x87 last-instruction pointers as the host CPU keeps them (issue 13, vendor model): a few fixed scenarios run
 * natively in one go, without the single-stepping of native_runner.c (whose kernel XSAVE/XRSTOR at every trap drops
 * AMD's pointers while FSW.ES is clear). Each scenario ends with FXSAVE64 and FNSTENV; the fields are printed with
 * addresses and selectors replaced by names (L1..L5: the scenario's instruction, D1/D3: its data, S: the stack
 * slot, CS/SS: the selectors), so that X87PointerNativeTest can run the same scenarios on the soft x87 unit and
 * compare the lines. First line: the CPUID vendor string.
 */
#include <cpuid.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

double d1 = 1.5, d3 = 3.0;
uint16_t cw35f = 0x035F, cw37b = 0x037B;
uint64_t stackaddr;
uint8_t img[512] __attribute__((aligned(16)));
uint8_t fx[512] __attribute__((aligned(16)));
uint8_t env[28];

__asm__(
    ".text\n"
    "sc_restore64:\n fxrstor64 img(%rip)\n fxsave64 fx(%rip)\n fnstenv env(%rip)\n fnclex\n fninit\n ret\n"
    "sc_restore32:\n fxrstor img(%rip)\n fxsave64 fx(%rip)\n fnstenv env(%rip)\n fnclex\n fninit\n ret\n"
    "sc_load:\n fninit\n fld1\n L1: fldl d1(%rip)\n fxsave64 fx(%rip)\n fnstenv env(%rip)\n fninit\n ret\n"
    "sc_regaftermem:\n fninit\n fldl d1(%rip)\n L2: fld1\n fxsave64 fx(%rip)\n fnstenv env(%rip)\n fninit\n ret\n"
    "sc_unmask:\n fninit\n fld1\n L3: fdivl d3(%rip)\n fldcw cw35f(%rip)\n fxsave64 fx(%rip)\n fnstenv env(%rip)\n"
    " fnclex\n fninit\n ret\n"
    "sc_stack:\n fninit\n pushq d1(%rip)\n mov %rsp, stackaddr(%rip)\n L4: fldl (%rsp)\n add $8, %rsp\n"
    " fxsave64 fx(%rip)\n fnstenv env(%rip)\n fninit\n ret\n"
    "sc_unmaskedreg:\n fninit\n fldcw cw37b(%rip)\n fldl d1(%rip)\n fld1\n fldz\n L5: .byte 0xde, 0xf9\n"
    " fxsave64 fx(%rip)\n fnstenv env(%rip)\n fnclex\n fninit\n ret\n");

void sc_restore64(void), sc_restore32(void), sc_load(void), sc_regaftermem(void), sc_unmask(void), sc_stack(void),
    sc_unmaskedreg(void);
extern char L1[], L2[], L3[], L4[], L5[];

static uint16_t cs, ss;

static uint64_t u(const uint8_t *p, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

/* An address as a name when it is one of the scenario's (compared in its low `bits` bits), else hex. */
static const char *sym(uint64_t v, int bits, char *buf) {
    uint64_t m = bits == 64 ? ~0ULL : (1ULL << bits) - 1;
    const struct { const char *n; uint64_t a; } names[] = {
        {"L1", (uint64_t) L1}, {"L2", (uint64_t) L2}, {"L3", (uint64_t) L3}, {"L4", (uint64_t) L4},
        {"L5", (uint64_t) L5}, {"D1", (uint64_t) &d1}, {"D3", (uint64_t) &d3}, {"S", stackaddr}};
    if (v == 0) return "0";
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (names[i].a != 0 && (names[i].a & m) == (v & m)) return names[i].n;
    }
    sprintf(buf, "%llx", (unsigned long long) v);
    return buf;
}

static const char *sel(uint64_t v, char *buf) {
    if (v == 0) return "0";
    if (v == cs) return "CS";
    if (v == ss) return "SS";
    sprintf(buf, "%llx", (unsigned long long) v);
    return buf;
}

static void report(const char *name) {
    char a[32], b[32], c[32], d[32], e[32], f[32];
    printf("%s fx: fcw=%04x fsw=%04x ftw=%02x fop=%04x fip=%s fdp=%s env: fcw=%08x fsw=%08x tw=%08x fip=%s fcs=%s"
           " fop=%04x fdp=%s fds=%s\n",
           name, (unsigned) u(fx, 2), (unsigned) u(fx + 2, 2), (unsigned) fx[4], (unsigned) u(fx + 6, 2),
           sym(u(fx + 8, 8), 64, a), sym(u(fx + 16, 8), 64, b), (unsigned) u(env, 4), (unsigned) u(env + 4, 4),
           (unsigned) u(env + 8, 4), sym(u(env + 12, 4), 32, c), sel(u(env + 16, 2), d), (unsigned) u(env + 18, 2),
           sym(u(env + 20, 4), 32, e), sel(u(env + 24, 2), f));
}

/* An FXRSTOR image: FCW, FSW, FOP, FIP/FDP (64-bit) and, for the legacy form, FCS/FDS. */
static void image(uint16_t fcw, uint16_t fsw, uint16_t fop, uint64_t fip, uint64_t fdp, uint16_t fcs, uint16_t fds) {
    memset(img, 0, sizeof img);
    memcpy(img, &fcw, 2);
    memcpy(img + 2, &fsw, 2);
    memcpy(img + 6, &fop, 2);
    memcpy(img + 8, &fip, 8);
    memcpy(img + 16, &fdp, 8);
    if (fcs || fds) {
        memcpy(img + 12, &fcs, 2);
        memcpy(img + 20, &fds, 2);
    }
    uint32_t mxcsr = 0x1F80;
    memcpy(img + 24, &mxcsr, 4);
}

int main(void) {
    unsigned eax, ebx, ecx, edx;
    char vendor[13] = {0};
    __cpuid(0, eax, ebx, ecx, edx);
    memcpy(vendor, &ebx, 4);
    memcpy(vendor + 4, &edx, 4);
    memcpy(vendor + 8, &ecx, 4);
    printf("vendor %s\n", vendor);
    __asm__ volatile("mov %%cs, %0; mov %%ss, %1" : "=r"(cs), "=r"(ss));

    image(0x037F, 0, 0x123, 0x11223344, 0x55667788, 0, 0);
    sc_restore64();
    report("restore64");
    image(0x037F, 0, 0x123, 0x11223344, 0x55667788, 0x1234, 0x4321);
    sc_restore32();
    report("restore32");
    image(0x8F8C, 0xFF7F, 0x5DA, 0x32D2AB4A, 0x7510D89B, 0, 0); /* reserved FCW bits, ES inconsistent with the flags */
    sc_restore64();
    report("fcwmask");
    image(0x035F, 0x80A0, 0x123, 0xC6D28C1AC11B553BULL, 0x3D51C704F6F3C058ULL, 0, 0); /* ES set, 64-bit pointers */
    sc_restore64();
    report("wide");
    sc_load();
    report("load");
    sc_regaftermem();
    report("regaftermem");
    sc_unmask();
    report("unmask");
    sc_stack();
    report("stack");
    sc_unmaskedreg();
    report("unmaskedreg");
    return 0;
}
