/*
 * The host CPU's RCPPS/RSQRTPS over every mantissa of one exponent (issue 13, the approximation instructions):
 * the exact bits are implementation-specific (the SDM bounds only the relative error by 1.5*2^-12), so the soft
 * CPU carries a measured model per implementation (RecipTables) and this program is its ground truth.
 *
 * First, a hello on stdout: the CPUID vendor string (12 bytes), CPUID.1:EAX (u32), and the hypervisor leaf
 * 0x40000000's signature (12 bytes, zeros without CPUID.1:ECX[31]; "TCGTCGTCGTCG" under QEMU's emulator), so the
 * test picks the model of the CPU that executes the instructions, whatever /proc/cpuinfo says.
 * Requests on stdin, binary little endian, each four u32: op (0 RCPPS, 1 RSQRTPS), sign (0/1), biased exponent
 * (0-255), MXCSR to run under. Answer on stdout: u32 n, then n pairs (u32 first mantissa, u32 result): the
 * results run-length encoded over the 2^23 mantissas in order (a pair starts where the result changes), then u32
 * MXCSR after the run (the instructions report no exception flags: any change shows here). An SIMD
 * floating-point exception (SIGFPE) ends the program with a message: the instructions raise none.
 */
#include <cpuid.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void fpe(int sig) {
    (void) sig;
    static const char m[] = "recip_probe: SIGFPE\n";
    write(2, m, sizeof m - 1);
    _exit(3);
}

static void put(uint32_t v) {
    if (fwrite(&v, 4, 1, stdout) != 1) exit(2);
}

int main(void) {
    signal(SIGFPE, fpe);
    unsigned a, b, c, d, hello[7] = {0};
    __cpuid(0, a, b, c, d);
    hello[0] = b, hello[1] = d, hello[2] = c;
    __cpuid(1, a, b, c, d);
    hello[3] = a;
    if (c & (1u << 31)) {
        __cpuid(0x40000000, a, b, c, d);
        hello[4] = b, hello[5] = c, hello[6] = d;
    }
    if (fwrite(hello, 4, 7, stdout) != 7) return 2;
    fflush(stdout);
    uint32_t req[4];
    static uint32_t runs[2 << 23]; /* first mantissa, result: pairs */
    while (fread(req, 4, 4, stdin) == 4) {
        uint32_t op = req[0], base = (req[1] & 1) << 31 | (req[2] & 0xFF) << 23, csr = req[3], after;
        uint32_t n = 0, prev = 0;
        __asm__ volatile("ldmxcsr %0" : : "m"(csr));
        for (uint32_t m = 0; m < (1u << 23); m += 4) {
            uint32_t in[4] __attribute__((aligned(16))) = {base | m, base | (m + 1), base | (m + 2), base | (m + 3)};
            uint32_t out[4] __attribute__((aligned(16)));
            if (op == 0) __asm__ volatile("movaps %1, %%xmm0\n\trcpps %%xmm0, %%xmm1\n\tmovaps %%xmm1, %0" : "=m"(out) : "m"(in) : "xmm0", "xmm1");
            else __asm__ volatile("movaps %1, %%xmm0\n\trsqrtps %%xmm0, %%xmm1\n\tmovaps %%xmm1, %0" : "=m"(out) : "m"(in) : "xmm0", "xmm1");
            for (int i = 0; i < 4; i++) {
                if (n == 0 || out[i] != prev) {
                    runs[2 * n] = m + i;
                    runs[2 * n + 1] = out[i];
                    n++;
                    prev = out[i];
                }
            }
        }
        __asm__ volatile("stmxcsr %0" : "=m"(after));
        uint32_t dflt = 0x1F80;
        __asm__ volatile("ldmxcsr %0" : : "m"(dflt));
        put(n);
        if (fwrite(runs, 8, n, stdout) != n) return 2;
        put(after);
        fflush(stdout);
    }
    return 0;
}
