#!/usr/bin/env python3
"""Goldens for the LAMB and Momentum update rules: 6 steps over a decayed weight [3, 4] and an undecayed bias [4],
with a layer-wise learning-rate factor on the bias, computed in float64 with numpy.

Momentum is torch.optim.SGD(momentum=mu, dampening=0, weight_decay=wd, nesterov=False) as documented:
  d = g + wd*w;  b = d on the first step, else mu*b + d;  w -= lr*b.
LAMB is the published update (You et al., 2019) as NVIDIA's FusedLAMB and MindSpore's BERT recipe apply it:
  m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g^2;  u = (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps) + wd*w
  r = min(10, |w|/|u|) when both norms are positive and the parameter is decayed, else 1;  w -= lr*r*u.

Writes Tests/ErnieTrainingTests/Fixtures/optimizer_goldens.json. Run: python3 tools/optimizer_goldens.py
"""
import json, os
import numpy as np

rng = np.random.default_rng(7)
shapes = {"layer.weight": (3, 4), "layer.bias": (4,)}
decays = {"layer.weight": True, "layer.bias": False}
factors = {"layer.weight": 1.0, "layer.bias": 0.5}
initial = {n: rng.normal(0, 1, s).astype(np.float32) for n, s in shapes.items()}
grads = [{n: rng.normal(0, 1, s).astype(np.float32) for n, s in shapes.items()} for _ in range(6)]
lrs = [0.01, 0.02, 0.015, 0.01, 0.005, 0.001]

def momentum(mu=0.9, wd=0.01):
    w = {n: v.astype(np.float64) for n, v in initial.items()}
    buf = {}
    for g, lr in zip(grads, lrs):
        for n in w:
            d = g[n].astype(np.float64) + (wd if decays[n] else 0) * w[n]
            buf[n] = d.copy() if n not in buf else mu * buf[n] + d
            w[n] = w[n] - lr * factors[n] * buf[n]
    return w

def lamb(b1=0.9, b2=0.999, eps=1e-6, wd=0.01):
    w = {n: v.astype(np.float64) for n, v in initial.items()}
    m = {n: np.zeros(s) for n, s in shapes.items()}
    v = {n: np.zeros(s) for n, s in shapes.items()}
    for t, (g, lr) in enumerate(zip(grads, lrs), start=1):
        for n in w:
            gn = g[n].astype(np.float64)
            m[n] = b1 * m[n] + (1 - b1) * gn
            v[n] = b2 * v[n] + (1 - b2) * gn * gn
            u = (m[n] / (1 - b1 ** t)) / (np.sqrt(v[n] / (1 - b2 ** t)) + eps) + (wd * w[n] if decays[n] else 0)
            r = 1.0
            wn, un = np.linalg.norm(w[n]), np.linalg.norm(u)
            if decays[n] and wn > 0 and un > 0:
                r = min(10.0, wn / un)
            w[n] = w[n] - lr * factors[n] * r * u
    return w

flat = lambda d: {n: [float(x) for x in a.ravel()] for n, a in d.items()}
out = {"initial": flat(initial), "gradients": [flat(g) for g in grads], "learning_rates": lrs,
       "factors": factors, "decays": decays, "momentum": flat(momentum()), "lamb": flat(lamb())}
path = os.path.join(os.path.dirname(__file__), "..", "Tests", "ErnieTrainingTests", "Fixtures", "optimizer_goldens.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", os.path.normpath(path))
