/* src/nn/lstm.c: stacked LSTM, forward, backpropagation through time, inference.
 *
 * Per layer and step (PyTorch's gate order; Hochreiter and Schmidhuber 1997 with
 * the forget gate of Gers et al. 2000), the four gates in ONE sgemm:
 *   z = [x_t, h_{t-1}] W + b        [B x (I+H)] * [(I+H) x 4H]
 *   i = sigm(z_i)  f = sigm(z_f)  g = tanh(z_g)  o = sigm(z_o)
 *   c_t = f c_{t-1} + i g           h_t = o tanh(c_t)
 * Everything is batch-major like the input (B, T, .): step t of a (B, T, n)
 * buffer is the (B, n) matrix at offset t n with leading dimension T n, which
 * sgemm reads in place, so no transpose is ever copied. h_t is written straight
 * into the next step's [x, h] row, the layer above's [x, h] row or the output.
 *
 * Training keeps [x_t, h_{t-1}], the gates, c_t and tanh(c_t) of every step.
 * BPTT walks t = T-1 .. 0 with one (B x 4H) * (4H x H) sgemm per step for the
 * recurrent gradient, overwrites the gates with dz, then accumulates
 *   dW += [x, h]^T dz   in ONE sgemm over all B T rows,
 *   dx  = dz W_x^T      in ONE sgemm, the gradient of the layer below.
 * Cost per layer: about 2 B T (I+H) 4H flops forward, 3 times that backward.
 * Inference runs step by step through all layers with one step of scratch. */
#if defined(__GNUC__) && !defined(__clang__)
/* Lets GCC turn the selects of nn_math.h into vector blends (Clang does anyway),
 * and contract a * b + c into one FMA where the clone has it (-std=c11 turns
 * contraction off): a rounding difference, not a change of formula. */
#pragma GCC optimize("no-trapping-math", "fp-contract=fast")
#endif

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/status.h"
#include "nn/nn_internal.h"
#include "nn/nn_math.h"

int nn_lstm_setup(nn_lstm *m, int in, int seq, const dnt_layer_spec *spec, int max_batch,
                  nn_views *v, nn_arena *ws) {
  int H = spec->units, L = spec->lstm_layers, T = seq;
  size_t B = (size_t)max_batch;
  m->seq = T;
  m->hidden = H;
  m->layers = L;
  m->return_sequences = spec->return_sequences;
  if (v && !m->cell) {
    m->cell = calloc((size_t)L, sizeof *m->cell);
    if (!m->cell) return dnt_error(DNT_ERR_NOMEM, "lstm: %d layers: out of memory", L);
  }
  nn_lstm_cell scratch;
  for (int l = 0; l < L; l++) {
    nn_lstm_cell *s = v ? &m->cell[l] : &scratch;
    int ni = l == 0 ? in : H, K = ni + H;
    s->in = ni;
    if (v) {
      nn_views_take(v, (size_t)K * 4 * (size_t)H, &s->w, &s->dw);
      nn_views_take(v, (size_t)4 * (size_t)H, &s->b, &s->db);
    }
    s->xh = nn_arena_take(ws, B * (size_t)T * (size_t)K);
    s->gates = nn_arena_take(ws, B * (size_t)T * 4 * (size_t)H);
    s->c = nn_arena_take(ws, B * (size_t)T * (size_t)H);
    s->tc = nn_arena_take(ws, B * (size_t)T * (size_t)H);
    s->dh = l + 1 < L ? nn_arena_take(ws, B * (size_t)T * (size_t)H) : NULL;
    s->ixh = nn_arena_take(ws, B * (size_t)K);
    s->iz = nn_arena_take(ws, B * 4 * (size_t)H);
    s->ic[0] = nn_arena_take(ws, B * (size_t)H);
    s->ic[1] = nn_arena_take(ws, B * (size_t)H);
    s->itc = nn_arena_take(ws, B * (size_t)H);
  }
  m->y = nn_arena_take(ws, B * (m->return_sequences ? (size_t)T : 1) * (size_t)H);
  m->dhrec = nn_arena_take(ws, B * (size_t)H);
  m->dc = nn_arena_take(ws, B * (size_t)H);
  m->zero = nn_arena_take(ws, (size_t)H); /* the arena is calloc'd and this is never written */
  return DNT_OK;
}

void nn_lstm_free(nn_lstm *m) {
  free(m->cell);
  m->cell = NULL;
}

void nn_lstm_init(nn_lstm *m, dnt_rng *rng) {
  int H = m->hidden;
  float k = 1.0f / sqrtf((float)H); /* PyTorch's U(-1/sqrt(H), 1/sqrt(H)) */
  for (int l = 0; l < m->layers; l++) {
    nn_lstm_cell *s = &m->cell[l];
    nn_fill_uniform(s->w, (size_t)(s->in + H) * 4 * (size_t)H, k, rng);
    for (int j = 0; j < 4 * H; j++)
      s->b[j] = (j >= H && j < 2 * H) ? 1.0f : 0.0f;
  }
}

/* Gate activations of one row, in place: z (4H) = [zi zf zg zo] + b becomes
 * [i f g o]. Three plain loops (sigmoid on i f, tanh on g, sigmoid on o) keep
 * each loop's constants in registers, where one loop over all four gates and
 * the cell spilled. */
static inline void row_gates(int H, float *restrict z, const float *restrict b) {
  for (int j = 0; j < 2 * H; j++)
    z[j] = nn_sigmoidf(z[j] + b[j]); /* i = sigm(z_i), f = sigm(z_f) */
  for (int j = 2 * H; j < 3 * H; j++)
    z[j] = nn_tanhf(z[j] + b[j]); /* g = tanh(z_g) */
  for (int j = 3 * H; j < 4 * H; j++)
    z[j] = nn_sigmoidf(z[j] + b[j]); /* o = sigm(z_o) */
}

/* The cell of one row from its gates: writes c_t, tanh(c_t) and h_t. The
 * restrict parameters (not locals, which GCC ignores) let the loop vectorise. */
static inline void row_cell(int H, const float *restrict gi, const float *restrict gf,
                            const float *restrict gg, const float *restrict go,
                            const float *restrict cp, float *restrict c, float *restrict tc,
                            float *restrict h) {
  for (int j = 0; j < H; j++) {
    float cv = gf[j] * cp[j] + gi[j] * gg[j]; /* c_t = f c_{t-1} + i g */
    float t = nn_tanhf(cv);
    c[j] = cv;
    tc[j] = t;
    h[j] = go[j] * t; /* h_t = o tanh(c_t) */
  }
}

/* One step for B rows: z holds x W on entry and the gate activations on exit;
 * cp is c_{t-1} (ld 0 with a zero row at t = 0). */
NN_KERNEL static void cell_forward(int B, int H, const float *bias, float *z, int ldz,
                                   const float *cp, int ldcp, float *c, int ldc, float *tc,
                                   int ldtc, float *h, int ldh) {
  for (int r = 0; r < B; r++) {
    float *zr = z + (size_t)r * (size_t)ldz;
    row_gates(H, zr, bias);
    row_cell(H, zr, zr + H, zr + 2 * H, zr + 3 * H, cp + (size_t)r * (size_t)ldcp,
             c + (size_t)r * (size_t)ldc, tc + (size_t)r * (size_t)ldtc,
             h + (size_t)r * (size_t)ldh);
  }
}

/* Backward of one row's step: dh = d loss / d h_t; dc carries d/dc_{t+1} f_{t+1}
 * in and d/dc_t f_t out; the gates become dz; db += dz. */
static inline void row_backward(int H, float *restrict gi, float *restrict gf, float *restrict gg,
                                float *restrict go, const float *restrict cp,
                                const float *restrict tc, const float *restrict dhin,
                                const float *restrict dhrec, float *restrict dc,
                                float *restrict db) {
  for (int j = 0; j < H; j++) {
    float i = gi[j], f = gf[j], g = gg[j], o = go[j], t = tc[j];
    float dh = dhin[j] + dhrec[j];
    float dct = dh * o * (1.0f - t * t) + dc[j]; /* d loss / d c_t */
    dc[j] = dct * f;
    float dzi = dct * g * i * (1.0f - i);
    float dzf = dct * cp[j] * f * (1.0f - f);
    float dzg = dct * i * (1.0f - g * g);
    float dzo = dh * t * o * (1.0f - o);
    gi[j] = dzi;
    gf[j] = dzf;
    gg[j] = dzg;
    go[j] = dzo;
    db[j] += dzi;
    db[H + j] += dzf;
    db[2 * H + j] += dzg;
    db[3 * H + j] += dzo;
  }
}

/* Backward of one step for B rows: d loss / d h_t = dhin + dhrec (each ld 0
 * when absent); the gates (ld ldg) are overwritten by dz. */
NN_KERNEL static void cell_backward(int B, int H, float *gates, int ldg, const float *cp, int ldcp,
                                    const float *tc, int ldtc, const float *dhin, int lddh,
                                    const float *dhrec, int ldrec, float *dc, float *db) {
  for (int r = 0; r < B; r++) {
    float *g = gates + (size_t)r * (size_t)ldg;
    row_backward(H, g, g + H, g + 2 * H, g + 3 * H, cp + (size_t)r * (size_t)ldcp,
                 tc + (size_t)r * (size_t)ldtc, dhin + (size_t)r * (size_t)lddh,
                 dhrec + (size_t)r * (size_t)ldrec, dc + (size_t)r * (size_t)H, db);
  }
}

const float *nn_lstm_forward(nn_lstm *m, const float *x, int B) {
  int T = m->seq, H = m->hidden, L = m->layers;
  for (int l = 0; l < L; l++) {
    nn_lstm_cell *s = &m->cell[l], *up = l + 1 < L ? &m->cell[l + 1] : NULL;
    int ni = s->in, K = ni + H, ldxh = T * K;
    if (l == 0) nn_copy_rows(s->xh, K, x, ni, B * T, ni); /* below: filled by layer l-1 */
    for (int r = 0; r < B; r++)
      memset(s->xh + (size_t)r * (size_t)ldxh + ni, 0, (size_t)H * sizeof(float));
    for (int t = 0; t < T; t++) {
      float *g = s->gates + (size_t)t * 4 * (size_t)H;
      nn_sgemm(CblasNoTrans, CblasNoTrans, B, 4 * H, K, s->xh + (size_t)t * (size_t)K, ldxh, s->w,
               4 * H, 0.0f, g, T * 4 * H);
      /* h_t goes to the next step's [x, h], and to the layer above or the output */
      float *h_up = NULL;
      int ld_up = 0;
      if (up) {
        h_up = up->xh + (size_t)t * 2 * (size_t)H;
        ld_up = T * 2 * H;
      } else if (m->return_sequences) {
        h_up = m->y + (size_t)t * (size_t)H;
        ld_up = T * H;
      } else if (t == T - 1) {
        h_up = m->y;
        ld_up = H;
      }
      float *h = h_up;
      int ldh = ld_up;
      if (t + 1 < T) {
        h = s->xh + (size_t)(t + 1) * (size_t)K + ni;
        ldh = ldxh;
      }
      cell_forward(B, H, s->b, g, T * 4 * H, t ? s->c + (size_t)(t - 1) * (size_t)H : m->zero,
                   t ? T * H : 0, s->c + (size_t)t * (size_t)H, T * H,
                   s->tc + (size_t)t * (size_t)H, T * H, h, ldh);
      if (h_up && h_up != h) nn_copy_rows(h_up, ld_up, h, ldh, B, H);
    }
  }
  return m->y;
}

void nn_lstm_backward(nn_lstm *m, const float *dy, float *dx, int B) {
  int T = m->seq, H = m->hidden, L = m->layers;
  for (int l = L - 1; l >= 0; l--) {
    nn_lstm_cell *s = &m->cell[l];
    int ni = s->in, K = ni + H, ldg = T * 4 * H;
    memset(m->dc, 0, (size_t)B * (size_t)H * sizeof(float));
    for (int t = T - 1; t >= 0; t--) {
      /* d loss / d h_t from above: the layer above, the output, or nothing */
      const float *dhin = m->zero;
      int lddh = 0;
      if (l + 1 < L) {
        dhin = s->dh + (size_t)t * (size_t)H;
        lddh = T * H;
      } else if (m->return_sequences) {
        dhin = dy + (size_t)t * (size_t)H;
        lddh = T * H;
      } else if (t == T - 1) {
        dhin = dy;
        lddh = H;
      }
      float *g = s->gates + (size_t)t * 4 * (size_t)H;
      cell_backward(B, H, g, ldg, t ? s->c + (size_t)(t - 1) * (size_t)H : m->zero, t ? T * H : 0,
                    s->tc + (size_t)t * (size_t)H, T * H, dhin, lddh,
                    t < T - 1 ? m->dhrec : m->zero, t < T - 1 ? H : 0, m->dc, s->db);
      /* d loss / d h_{t-1} = dz_t W_h^T */
      if (t > 0)
        nn_sgemm(CblasNoTrans, CblasTrans, B, H, 4 * H, g, ldg, s->w + (size_t)ni * 4 * (size_t)H,
                 4 * H, 0.0f, m->dhrec, H);
    }
    /* dW += [x, h]^T dz and dx = dz W_x^T, over all B T rows at once */
    nn_sgemm(CblasTrans, CblasNoTrans, K, 4 * H, B * T, s->xh, K, s->gates, 4 * H, 1.0f, s->dw,
             4 * H);
    float *below = l > 0 ? m->cell[l - 1].dh : dx;
    if (below)
      nn_sgemm(CblasNoTrans, CblasTrans, B * T, ni, 4 * H, s->gates, 4 * H, s->w, 4 * H, 0.0f,
               below, ni);
  }
}

void nn_lstm_infer(nn_lstm *m, const float *x, int B, float *y) {
  int T = m->seq, H = m->hidden, L = m->layers;
  for (int l = 0; l < L; l++) {
    nn_lstm_cell *s = &m->cell[l];
    for (int r = 0; r < B; r++)
      memset(s->ixh + (size_t)r * (size_t)(s->in + H) + s->in, 0, (size_t)H * sizeof(float));
  }
  for (int t = 0; t < T; t++) {
    for (int l = 0; l < L; l++) {
      nn_lstm_cell *s = &m->cell[l];
      int ni = s->in, K = ni + H;
      if (l == 0) nn_copy_rows(s->ixh, K, x + (size_t)t * (size_t)ni, T * ni, B, ni);
      nn_sgemm(CblasNoTrans, CblasNoTrans, B, 4 * H, K, s->ixh, K, s->w, 4 * H, 0.0f, s->iz, 4 * H);
      float *c = s->ic[t & 1], *h = s->ixh + ni; /* h_t replaces h_{t-1} in [x, h] */
      cell_forward(B, H, s->b, s->iz, 4 * H, t ? s->ic[(t - 1) & 1] : m->zero, t ? H : 0, c, H,
                   s->itc, H, h, K);
      if (l + 1 < L)
        nn_copy_rows(m->cell[l + 1].ixh, 2 * H, h, K, B, H);
      else if (m->return_sequences)
        nn_copy_rows(y + (size_t)t * (size_t)H, T * H, h, K, B, H);
      else if (t == T - 1)
        nn_copy_rows(y, H, h, K, B, H);
    }
  }
}
