/* glibc's rand(), srand(), random() and srandom() for wasi-libc, linked into every C and C++
 * program of the WASM sandbox: benchmark tests that draw their inputs from rand() (HumanEval-X
 * CPP/32) must see the sequence their reference harness saw under glibc. The algorithm is
 * glibc's default TYPE_3 additive feedback generator: 31 words seeded by a Lehmer generator
 * (16807, Schrage's method), 310 outputs discarded, then r[k] = r[k-31] + r[k-3], output
 * r[k] >> 1. */
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

static uint32_t passk_r[31];
static unsigned passk_k;
static int passk_seeded;

static uint32_t passk_step(void) {
    uint32_t v = passk_r[passk_k % 31] + passk_r[(passk_k + 28) % 31];
    passk_r[passk_k % 31] = v;
    passk_k++;
    return v;
}

void srandom(unsigned int seed) {
    int32_t word = (int32_t)(seed == 0 ? 1 : seed);
    passk_r[0] = (uint32_t)word;
    for (int i = 1; i < 31; i++) {
        long hi = word / 127773, lo = word % 127773;
        word = (int32_t)(16807 * lo - 2836 * hi);
        if (word < 0) word += 2147483647;
        passk_r[i] = (uint32_t)word;
    }
    /* r[31..33] = r[0..2] already sit where r[k-31] is read from. */
    passk_k = 34;
    for (int i = 34; i < 344; i++) passk_step();
    passk_seeded = 1;
}

long random(void) {
    if (!passk_seeded) srandom(1);
    return (long)(passk_step() >> 1);
}

void srand(unsigned int seed) { srandom(seed); }

int rand(void) { return (int)random(); }

#ifdef __cplusplus
}
#endif
