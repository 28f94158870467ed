"""Writes tests/nn/fixture_torch.txt: PyTorch's answers for two small nets.

    /usr/bin/python3 tools/make_nn_fixture.py     # needs torch; CI never runs it

1. MLP 5-7-3 (tanh hidden, linear out), batch 4, MSE loss.
2. LSTM input 3, hidden 4, 2 layers, 5 steps, batch 2, batch_first, then a
   Linear 4 -> 1 head on the last hidden state, MSE loss.
For each: the inputs, targets and weights, the outputs, the loss, every
parameter gradient and the input gradient; for the MLP also the parameters
after one and two torch.optim.Adam steps (lr 0.01; the second step's gradient
is taken at the once-stepped parameters).

Weights are drawn in float32 and the arithmetic runs in float64, so the fixture
is the exact answer for float32 weights; dnt (float32) is compared with a
tolerance. Tensors are written in dnt's layout (include/dnt/nn.h):
  nn.Linear weight (out, in)        -> W (in, out): transposed
  nn.LSTM weight_ih_l (4H, I),
          weight_hh_l (4H, H)       -> W (I+H, 4H) = [weight_ih^T; weight_hh^T]
  bias_ih_l + bias_hh_l             -> b (4H)  (one bias; its gradient equals
                                               either torch bias's gradient)
Gate order i, f, g, o is the same in both. One line per tensor:
  <name> <count> <values...>
"""
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "nn",
                   "fixture_torch.txt")


def f32(*shape):
    """Uniform(-1, 1) values exactly representable in float32, as float64."""
    return (torch.rand(*shape, dtype=torch.float32) * 2 - 1).double()


class Writer:
    def __init__(self):
        self.lines = []

    def put(self, name, t):
        v = t.detach().double().reshape(-1).tolist()
        self.lines.append("%s %d %s" % (name, len(v), " ".join("%.17g" % x for x in v)))


def mlp(w):
    x, target = f32(4, 5).requires_grad_(), f32(4, 3)
    l0, l1 = torch.nn.Linear(5, 7).double(), torch.nn.Linear(7, 3).double()
    with torch.no_grad():
        for lin in (l0, l1):
            lin.weight.copy_(f32(*lin.weight.shape))
            lin.bias.copy_(f32(*lin.bias.shape))
    net = torch.nn.Sequential(l0, torch.nn.Tanh(), l1)
    params = [l0.weight, l0.bias, l1.weight, l1.bias]
    names = ["W0", "b0", "W1", "b1"]

    def dnt_layout(ts):  # Linear weights transposed to (in, out)
        return [t.t() if t.dim() == 2 else t for t in ts]

    w.put("mlp.x", x)
    w.put("mlp.target", target)
    for n, t in zip(names, dnt_layout(params)):
        w.put("mlp." + n, t)
    y = net(x)
    loss = torch.nn.functional.mse_loss(y, target)
    loss.backward()
    w.put("mlp.y", y)
    w.put("mlp.loss", loss)
    for n, t in zip(names, dnt_layout([p.grad for p in params])):
        w.put("mlp.d" + n, t)
    w.put("mlp.dx", x.grad)

    opt = torch.optim.Adam(params, lr=0.01)
    for step in (1, 2):
        opt.step()
        for n, t in zip(names, dnt_layout(params)):
            w.put("mlp.adam%d.%s" % (step, n), t)
        opt.zero_grad()
        torch.nn.functional.mse_loss(net(x), target).backward()


def lstm(w):
    B, T, I, H, L = 2, 5, 3, 4, 2
    x, target = f32(B, T, I).requires_grad_(), f32(B, 1)
    rnn = torch.nn.LSTM(I, H, num_layers=L, batch_first=True).double()
    head = torch.nn.Linear(H, 1).double()
    with torch.no_grad():
        for p in list(rnn.parameters()) + list(head.parameters()):
            p.copy_(f32(*p.shape))
    w.put("lstm.x", x)
    w.put("lstm.target", target)

    def cat_w(layer, grad=False):
        ih, hh = getattr(rnn, "weight_ih_l%d" % layer), getattr(rnn, "weight_hh_l%d" % layer)
        if grad:
            ih, hh = ih.grad, hh.grad
        return torch.cat([ih.t(), hh.t()], 0)

    def bias(layer, grad=False):
        bi, bh = getattr(rnn, "bias_ih_l%d" % layer), getattr(rnn, "bias_hh_l%d" % layer)
        return bi.grad if grad else bi + bh

    for layer in range(L):
        w.put("lstm.W%d" % layer, cat_w(layer))
        w.put("lstm.b%d" % layer, bias(layer))
    w.put("lstm.Wh", head.weight.t())
    w.put("lstm.bh", head.bias)
    out, _ = rnn(x)
    y = head(out[:, -1, :])
    loss = torch.nn.functional.mse_loss(y, target)
    loss.backward()
    w.put("lstm.y", y)
    w.put("lstm.loss", loss)
    for layer in range(L):
        w.put("lstm.dW%d" % layer, cat_w(layer, True))
        w.put("lstm.db%d" % layer, bias(layer, True))
    w.put("lstm.dWh", head.weight.grad.t())
    w.put("lstm.dbh", head.bias.grad)
    w.put("lstm.dx", x.grad)


def main():
    torch.manual_seed(20250301)
    w = Writer()
    mlp(w)
    lstm(w)
    with open(OUT, "w") as f:
        f.write("# PyTorch %s answers for tests/nn/test_torch_fixture.c; written by "
                "tools/make_nn_fixture.py, do not edit\n" % torch.__version__)
        f.write("\n".join(w.lines) + "\n")


if __name__ == "__main__":
    main()
