#!/usr/bin/python3
"""The anchor and C of the linear SVM, measured on the eval's galleries (docs/classifier.md, "The anchor").

An experiment behind the shipped defaults (src/classifier/svm.ts: ANCHOR, DEFAULT_C), not part of
the product. It solves the shipped problem in numpy, every identity's one-vs-rest problem at once:
min ½|w_c − λ d_c|² + ½b_c² + Σ_i C_i max(0, 1 − y_ic (w_c·x_i + b_c))², class weights on both
sides (C_i = C n / (K n_yi)), by dual coordinate descent from w = λ d_c, where d_c is identity c's
mean photo less the calibration prior's mean face, at unit length. λ = 0 is the unanchored SVM (it
reproduces the sklearn "both" rows of tools/sklearn_weight_scan.py).

  table λ:C,...   right answers on every gallery of the eval (20 celebrities; the bbt cases)
  split           people split: 4 random halves of the celebrities; each (λ, C) of a grid is
                  scored on galleries of one half (1 crop, 2 crops, 1 or 10, 10 crops + bbt 4),
                  summed over the 4 splits, for each half. Choose on the A halves, read B.

Usage: /usr/bin/python3 tools/anchor_scan.py tmp/celebs-eval.json tmp/bbt.json table 0:1,1:0.1
       /usr/bin/python3 tools/anchor_scan.py tmp/celebs-eval.json tmp/bbt.json split
"""

import base64
import json
import sys

import numpy as np
from sklearn_weight_scan import centroid, galleries, people

GRID = [(0, 1), (0, 0.3), (0, 0.1)] + [(lam, c) for lam in (1, 2, 3, 4) for c in (0.1, 0.3, 1)]
SPLIT_CONFIGS = ("1 crop", "2 crop", "1 or 10", "10 + bbt 4")


def solve(x, y, k, C, w0, tol=1e-3, max_iter=2000):
    """All k problems at once: one coordinate step updates row i's dual variable in every problem."""
    n = len(y)
    sign = np.where(y[:, None] == np.arange(k)[None, :], 1.0, -1.0)
    cost = C * n / (k * np.bincount(y, minlength=k))[y]
    diag = 0.5 / cost
    alpha = np.zeros((n, k))
    w = w0.copy()
    qd = (x * x).sum(1) + diag
    rng = np.random.default_rng(0)
    for _ in range(max_iter):
        worst = 0.0
        for i in rng.permutation(n):
            g = sign[i] * (w @ x[i]) - 1 + diag[i] * alpha[i]
            worst = max(worst, np.abs(np.where(alpha[i] == 0, np.minimum(g, 0), g)).max())
            new = np.maximum(alpha[i] - g / qd[i], 0)
            w += np.outer((new - alpha[i]) * sign[i], x[i])
            alpha[i] = new
        if worst < tol:
            break
    return w


def anchored(lam, C, prior):
    def predict(gallery, probes):
        x = np.array([e for g in gallery for e in g])
        y = np.array([c for c, g in enumerate(gallery) for _ in g])
        k = len(gallery)
        d = np.array([np.mean(g, 0) for g in gallery]) - prior
        d /= np.linalg.norm(d, axis=1, keepdims=True)
        w = solve(np.hstack([x, np.ones((len(y), 1))]), y, k, C, np.hstack([lam * d, np.zeros((k, 1))]))
        return np.argmax(np.hstack([probes, np.ones((len(probes), 1))]) @ w.T, 1)

    return predict


def right(predict, draws):
    total = 0
    for gallery, probes in draws:
        x = np.array([e for _, e in probes])
        total += int((predict(gallery, x) == np.array([p for p, _ in probes])).sum())
    return total


def main(argv):
    if len(argv) < 4 or argv[3] not in ("table", "split") or (argv[3] == "table" and len(argv) < 5):
        sys.stderr.write(__doc__)
        return 2
    celebs, bbt = people(argv[1], 20), people(argv[2], 5)
    profiles = json.load(open("models/calibration.json", encoding="utf-8"))["profiles"]
    int8 = next(p for p in profiles if p["tuning"].get("precision") == "int8")
    prior = np.frombuffer(base64.b64decode(int8["prior"]), dtype=np.float32).astype(np.float64)
    if argv[3] == "table":
        configs = galleries(celebs, bbt)
        print("| method | " + " | ".join(name for name, _ in configs) + " |")
        print("| --- " * (len(configs) + 1) + "|")
        methods = [("nearest centroid", centroid)]
        for spec in argv[4].split(","):
            lam, C = (float(v) for v in spec.split(":"))
            methods.append((f"λ = {lam:g}, C = {C:g}", anchored(lam, C, prior)))
        for name, predict in methods:
            print(f"| {name} | " + " | ".join(str(right(predict, d)) for _, d in configs) + " |", flush=True)
        return 0
    rng = np.random.default_rng(7)
    totals = {}
    for _ in range(4):
        perm = rng.permutation(len(celebs))
        for half, idx in (("A", perm[: len(perm) // 2]), ("B", perm[len(perm) // 2 :])):
            configs = [c for c in galleries([celebs[i] for i in sorted(idx)], bbt) if c[0] in SPLIT_CONFIGS]
            for lam, C in GRID:
                row = [right(anchored(lam, C, prior), d) for _, d in configs]
                key = (half, lam, C)
                totals[key] = [a + b for a, b in zip(totals.get(key, [0] * len(row)), row)]
    print("| λ | C | A: " + " | A: ".join(SPLIT_CONFIGS) + " | A total | B: " + " | B: ".join(SPLIT_CONFIGS) + " | B total |")
    print("| --- " * (2 * len(SPLIT_CONFIGS) + 4) + "|")
    for lam, C in GRID:
        a, b = totals[("A", lam, C)], totals[("B", lam, C)]
        print(f"| {lam:g} | {C:g} | " + " | ".join(map(str, a)) + f" | {sum(a)} | " + " | ".join(map(str, b)) + f" | {sum(b)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
