/* Bulk kernels of OT extension and two-party multiplication (see pqzk_ot.h): SHAKE128 (FIPS 202)
 * for the PRG and the row hashes, bit-matrix transposition, GF(2^128) for the KOS correlation
 * check, and vectors of scalars on the generic Montgomery field core. */
#include "pqzk_ot.h"
#include "field_ops.inc"
#include <stdlib.h>
#include <string.h>

/* ---- Keccak-f[1600] and SHAKE128 ---- */
static const uint64_t KECCAK_RC[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

#define ROL64(x, n) (((x) << (n)) | ((x) >> (64 - (n))))   /* 0 < n < 64 */

/* one round per loop iteration, lanes in registers (generated straight-line code: theta, rho
 * and pi into b, chi and iota back into a; lane (x, y) is a[x + 5y]) */
static void keccak_f1600(uint64_t s[25]) {
    uint64_t a0 = s[0], a1 = s[1], a2 = s[2], a3 = s[3], a4 = s[4], a5 = s[5], a6 = s[6], a7 = s[7], a8 = s[8], a9 = s[9], a10 = s[10], a11 = s[11], a12 = s[12], a13 = s[13], a14 = s[14], a15 = s[15], a16 = s[16], a17 = s[17], a18 = s[18], a19 = s[19], a20 = s[20], a21 = s[21], a22 = s[22], a23 = s[23], a24 = s[24];
    uint64_t b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15, b16, b17, b18, b19, b20, b21, b22, b23, b24, c0, c1, c2, c3, c4, d0, d1, d2, d3, d4;
    for (int round = 0; round < 24; round++) {
        c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20;
        c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21;
        c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22;
        c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23;
        c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;
        d0 = c4 ^ ROL64(c1, 1);
        d1 = c0 ^ ROL64(c2, 1);
        d2 = c1 ^ ROL64(c3, 1);
        d3 = c2 ^ ROL64(c4, 1);
        d4 = c3 ^ ROL64(c0, 1);
        b0 = (a0 ^ d0);
        b16 = ROL64((a5 ^ d0), 36);
        b7 = ROL64((a10 ^ d0), 3);
        b23 = ROL64((a15 ^ d0), 41);
        b14 = ROL64((a20 ^ d0), 18);
        b10 = ROL64((a1 ^ d1), 1);
        b1 = ROL64((a6 ^ d1), 44);
        b17 = ROL64((a11 ^ d1), 10);
        b8 = ROL64((a16 ^ d1), 45);
        b24 = ROL64((a21 ^ d1), 2);
        b20 = ROL64((a2 ^ d2), 62);
        b11 = ROL64((a7 ^ d2), 6);
        b2 = ROL64((a12 ^ d2), 43);
        b18 = ROL64((a17 ^ d2), 15);
        b9 = ROL64((a22 ^ d2), 61);
        b5 = ROL64((a3 ^ d3), 28);
        b21 = ROL64((a8 ^ d3), 55);
        b12 = ROL64((a13 ^ d3), 25);
        b3 = ROL64((a18 ^ d3), 21);
        b19 = ROL64((a23 ^ d3), 56);
        b15 = ROL64((a4 ^ d4), 27);
        b6 = ROL64((a9 ^ d4), 20);
        b22 = ROL64((a14 ^ d4), 39);
        b13 = ROL64((a19 ^ d4), 8);
        b4 = ROL64((a24 ^ d4), 14);
        a0 = b0 ^ (~b1 & b2);
        a1 = b1 ^ (~b2 & b3);
        a2 = b2 ^ (~b3 & b4);
        a3 = b3 ^ (~b4 & b0);
        a4 = b4 ^ (~b0 & b1);
        a5 = b5 ^ (~b6 & b7);
        a6 = b6 ^ (~b7 & b8);
        a7 = b7 ^ (~b8 & b9);
        a8 = b8 ^ (~b9 & b5);
        a9 = b9 ^ (~b5 & b6);
        a10 = b10 ^ (~b11 & b12);
        a11 = b11 ^ (~b12 & b13);
        a12 = b12 ^ (~b13 & b14);
        a13 = b13 ^ (~b14 & b10);
        a14 = b14 ^ (~b10 & b11);
        a15 = b15 ^ (~b16 & b17);
        a16 = b16 ^ (~b17 & b18);
        a17 = b17 ^ (~b18 & b19);
        a18 = b18 ^ (~b19 & b15);
        a19 = b19 ^ (~b15 & b16);
        a20 = b20 ^ (~b21 & b22);
        a21 = b21 ^ (~b22 & b23);
        a22 = b22 ^ (~b23 & b24);
        a23 = b23 ^ (~b24 & b20);
        a24 = b24 ^ (~b20 & b21);
        a0 ^= KECCAK_RC[round];
    }
    s[0] = a0; s[1] = a1; s[2] = a2; s[3] = a3; s[4] = a4; s[5] = a5; s[6] = a6; s[7] = a7; s[8] = a8; s[9] = a9; s[10] = a10; s[11] = a11; s[12] = a12; s[13] = a13; s[14] = a14; s[15] = a15; s[16] = a16; s[17] = a17; s[18] = a18; s[19] = a19; s[20] = a20; s[21] = a21; s[22] = a22; s[23] = a23; s[24] = a24;
}

#define SHAKE128_RATE 168

typedef struct { uint64_t s[25]; size_t pos; } shake_t;

static void shake_init(shake_t *k) { memset(k, 0, sizeof *k); }

static void shake_absorb(shake_t *k, const uint8_t *in, size_t len) {
    for (size_t i = 0; i < len; i++) {
        k->s[k->pos / 8] ^= (uint64_t)in[i] << (8 * (k->pos % 8));
        if (++k->pos == SHAKE128_RATE) { keccak_f1600(k->s); k->pos = 0; }
    }
}

static void shake_finish(shake_t *k) {
    k->s[k->pos / 8] ^= (uint64_t)0x1f << (8 * (k->pos % 8));
    k->s[(SHAKE128_RATE - 1) / 8] ^= (uint64_t)0x80 << (8 * ((SHAKE128_RATE - 1) % 8));
    keccak_f1600(k->s);
    k->pos = 0;
}

static void shake_squeeze(shake_t *k, uint8_t *out, size_t len) {
    for (size_t i = 0; i < len; i++) {
        if (k->pos == SHAKE128_RATE) { keccak_f1600(k->s); k->pos = 0; }
        out[i] = (uint8_t)(k->s[k->pos / 8] >> (8 * (k->pos % 8)));
        k->pos++;
    }
}

int pqzk_shake128(uint8_t *out, size_t outlen, const uint8_t *in, size_t inlen) {
    shake_t k;
    shake_init(&k);
    shake_absorb(&k, in, inlen);
    shake_finish(&k);
    shake_squeeze(&k, out, outlen);
    return 0;
}

int pqzk_xof_expand(uint8_t *out, size_t outlen, const uint8_t *prefix, size_t plen,
                    const uint8_t *in, size_t inlen, size_t count) {
    shake_t base, k;
    shake_init(&base);
    shake_absorb(&base, prefix, plen);
    for (size_t i = 0; i < count; i++) {
        k = base;
        shake_absorb(&k, in + i * inlen, inlen);
        shake_finish(&k);
        shake_squeeze(&k, out + i * outlen, outlen);
    }
    return 0;
}

/* ---- bit matrices ---- */

/* transpose an 8x8 bit block held as 8 row bytes (byte r at bits 8r..8r+7, bit c of a row at
 * 8r+c) into column bytes (Hacker's Delight, transpose8 by delta swaps) */
static inline uint64_t transpose8(uint64_t x) {
    uint64_t t;
    t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAULL; x = x ^ t ^ (t << 7);
    t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCULL; x = x ^ t ^ (t << 14);
    t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0ULL; x = x ^ t ^ (t << 28);
    return x;
}

int pqzk_bit_transpose(uint8_t *out, const uint8_t *in, size_t rows, size_t cols) {
    if (rows % 8 || cols % 8) return -1;
    size_t rb = rows / 8, cb = cols / 8;
    for (size_t r8 = 0; r8 < rb; r8++) {
        for (size_t c8 = 0; c8 < cb; c8++) {
            uint64_t x = 0;
            for (int i = 0; i < 8; i++) x |= (uint64_t)in[(r8 * 8 + i) * cb + c8] << (8 * i);
            x = transpose8(x);
            for (int i = 0; i < 8; i++) out[(c8 * 8 + i) * rb + r8] = (uint8_t)(x >> (8 * i));
        }
    }
    return 0;
}

/* ---- GF(2^128) = F_2[x]/(x^128 + x^7 + x^2 + x + 1), little-endian bits ---- */
static inline uint64_t load64_le(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}
static inline void store64_le(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* shift-and-add with masks: no branch on the operands */
static inline void gf128_mul_words(uint64_t r[2], const uint64_t a_in[2], const uint64_t b[2]) {
    uint64_t a0 = a_in[0], a1 = a_in[1], r0 = 0, r1 = 0;
    for (int i = 0; i < 128; i++) {
        uint64_t m = (uint64_t)0 - ((b[i >> 6] >> (i & 63)) & 1);
        r0 ^= a0 & m; r1 ^= a1 & m;
        uint64_t carry = (uint64_t)0 - (a1 >> 63);
        a1 = (a1 << 1) | (a0 >> 63);
        a0 = (a0 << 1) ^ (carry & 0x87);
    }
    r[0] = r0; r[1] = r1;
}

void pqzk_gf128_mul(uint8_t *out, const uint8_t *a, const uint8_t *b) {
    uint64_t x[2] = {load64_le(a), load64_le(a + 8)}, y[2] = {load64_le(b), load64_le(b + 8)}, r[2];
    gf128_mul_words(r, x, y);
    store64_le(out, r[0]); store64_le(out + 8, r[1]);
}

int pqzk_gf128_inner(uint8_t *out, const uint8_t *a, const uint8_t *b, size_t n) {
    uint64_t acc0 = 0, acc1 = 0;
    for (size_t j = 0; j < n; j++) {
        uint64_t x[2] = {load64_le(a + 16 * j), load64_le(a + 16 * j + 8)};
        uint64_t y[2] = {load64_le(b + 16 * j), load64_le(b + 16 * j + 8)}, r[2];
        gf128_mul_words(r, x, y);
        acc0 ^= r[0]; acc1 ^= r[1];
    }
    store64_le(out, acc0); store64_le(out + 8, acc1);
    return 0;
}

/* ---- scalars ---- */

/* the field, if it suits a wide reduction of nbytes + 16 bytes: bit length 8 * nbytes, so that
 * the low nbytes (< 2^bits < 2p) need one conditional subtraction */
static const pqzk_field_t *wide_field(int fid) {
    const pqzk_field_t *F = pqzk_field_get(fid);
    if (!F || F->bits != 8 * F->nbytes) return NULL;
    return F;
}

/* r (normal form, < p) = big-endian (nbytes + 16)-byte in mod p */
static void reduce_wide(const pqzk_field_t *F, limb *r, const uint8_t *in) {
    limb lo[8] = {0}, hi[8] = {0}, hm[8];
    int nb = F->nbytes;
    for (int i = 0; i < 16; i++) hi[(15 - i) / 8] |= (limb)in[i] << (8 * ((15 - i) % 8));
    (void)limbs_from_be(lo, in + 16, nb, F->p, F->n);
    FDISPATCH(F, mont_final_sub(lo, lo, 0, F->p, N))
    f_to_mont(F, hm, hi);            /* hi * R mod p = hi * 2^(8 nbytes) mod p, as R = 2^(64 N) = 2^bits */
    f_add(F, r, hm, lo);
}

int pqzk_hash_rows_to_scalars(int fid, uint8_t *out, const uint8_t *prefix, size_t plen, const uint8_t *rows,
                              size_t rowlen, const uint8_t *mask, size_t nrows, size_t width) {
    const pqzk_field_t *F = wide_field(fid);
    if (!F || rowlen > 64) return -1;
    size_t wide = (size_t)F->nbytes + 16;
    uint8_t *buf = malloc(wide * (width ? width : 1));
    if (!buf) return -3;
    shake_t base, k;
    shake_init(&base);
    shake_absorb(&base, prefix, plen);
    for (size_t j = 0; j < nrows; j++) {
        uint8_t hdr[4] = {(uint8_t)(j >> 24), (uint8_t)(j >> 16), (uint8_t)(j >> 8), (uint8_t)j}, row[64];
        for (size_t i = 0; i < rowlen; i++) row[i] = rows[j * rowlen + i] ^ (mask ? mask[i] : 0);
        k = base;
        shake_absorb(&k, hdr, 4);
        shake_absorb(&k, row, rowlen);
        shake_finish(&k);
        shake_squeeze(&k, buf, wide * width);
        for (size_t w = 0; w < width; w++) {
            limb r[8];
            reduce_wide(F, r, buf + w * wide);
            limbs_to_be(out + (j * width + w) * F->nbytes, r, F->nbytes);
        }
    }
    free(buf);
    return 0;
}

/* load n canonical elements into Montgomery form; 0 when one is not canonical */
static int load_vec(const pqzk_field_t *F, limb (*v)[8], const uint8_t *in, size_t n) {
    int ok = 1;
    for (size_t i = 0; i < n; i++) ok &= f_from_bytes(F, v[i], in + i * F->nbytes);
    return ok;
}

typedef enum { OP_ADD, OP_SUB, OP_CADD } vec_op;

static int vec_binary(int fid, uint8_t *out, const uint8_t *a, const uint8_t *b, const uint8_t *bits, size_t n, vec_op op) {
    const pqzk_field_t *F = pqzk_field_get(fid);
    if (!F) return -1;
    for (size_t i = 0; i < n; i++) {
        limb x[8], y[8], z[8];
        if (!f_from_bytes(F, x, a + i * F->nbytes) || !f_from_bytes(F, y, b + i * F->nbytes)) return -1;
        if (op == OP_SUB) f_sub(F, z, x, y);
        else {
            if (op == OP_CADD) {
                limb zero[8] = {0};
                f_sel(F, y, y, zero, (limb)(bits[i] & 1));
            }
            f_add(F, z, x, y);
        }
        f_to_bytes(F, out + i * F->nbytes, z);
    }
    return 0;
}

int pqzk_fe_vec_add(int fid, uint8_t *out, const uint8_t *a, const uint8_t *b, size_t n) {
    return vec_binary(fid, out, a, b, NULL, n, OP_ADD);
}
int pqzk_fe_vec_sub(int fid, uint8_t *out, const uint8_t *a, const uint8_t *b, size_t n) {
    return vec_binary(fid, out, a, b, NULL, n, OP_SUB);
}
int pqzk_fe_vec_cadd(int fid, uint8_t *out, const uint8_t *a, const uint8_t *b, const uint8_t *bits, size_t n) {
    return vec_binary(fid, out, a, b, bits, n, OP_CADD);
}

int pqzk_fe_vec_mat(int fid, uint8_t *out, const uint8_t *a, const uint8_t *m, size_t n, size_t w) {
    const pqzk_field_t *F = pqzk_field_get(fid);
    if (!F || w == 0 || w > 16) return -1;
    limb acc[16][8], x[8], y[8], t[8];
    for (size_t k = 0; k < w; k++) memset(acc[k], 0, sizeof acc[k]);
    for (size_t j = 0; j < n; j++) {
        if (!f_from_bytes(F, x, a + j * F->nbytes)) return -1;
        for (size_t k = 0; k < w; k++) {
            if (!f_from_bytes(F, y, m + (j * w + k) * F->nbytes)) return -1;
            f_mul(F, t, x, y);
            f_add(F, acc[k], acc[k], t);
        }
    }
    for (size_t k = 0; k < w; k++) f_to_bytes(F, out + k * F->nbytes, acc[k]);
    return 0;
}

int pqzk_fe_mat_vec(int fid, uint8_t *out, const uint8_t *m, const uint8_t *v, size_t n, size_t w) {
    const pqzk_field_t *F = pqzk_field_get(fid);
    if (!F || w == 0 || w > 16) return -1;
    limb vv[16][8], y[8], t[8], acc[8];
    if (!load_vec(F, vv, v, w)) return -1;
    for (size_t j = 0; j < n; j++) {
        memset(acc, 0, sizeof acc);
        for (size_t k = 0; k < w; k++) {
            if (!f_from_bytes(F, y, m + (j * w + k) * F->nbytes)) return -1;
            f_mul(F, t, y, vv[k]);
            f_add(F, acc, acc, t);
        }
        f_to_bytes(F, out + j * F->nbytes, acc);
    }
    return 0;
}
