#!/usr/bin/python3
"""How one-vs-rest class weights and C move a linear SVM on the eval's galleries (sklearn's LIBLINEAR).

An experiment behind docs/classifier.md ("Class weights, measured"), not part of the product: it
reads the embeddings `npm run eval -- --classifier` caches and draws the same galleries as
tools/lib/classifier-eval.ts (1, 2, 4 crops each; 1 or 10 crops; 20 crops + bbt portraits; 10 crops
+ bbt), then fits one two-class LinearSVC per identity with per-sample weights:

- positives: LIBLINEAR's one-vs-rest (sklearn's LinearSVC class_weight='balanced'): a photo of c
  weighs n / (K n_c) in c's own problem, every negative 1;
- both: every photo weighs its own class's n / (K n_y), as positive and as negative (shipped);
- binary: each problem balanced on its own, positives n / (2 n_c), negatives n / (2 (n - n_c));
- up<r>: positives only, and the positives weighed r times more.
Each with `c` appended ("bothc") runs on embeddings centred on the gallery mean shrunk towards the
calibration prior (as the `same` rule centres) and renormalised.

Usage: /usr/bin/python3 tools/sklearn_weight_scan.py tmp/celebs-eval.json tmp/bbt.json positives,both 0.1,1
"""

import base64
import json
import sys
import warnings

import numpy as np
from sklearn.svm import LinearSVC

PRIOR_WEIGHT = 50  # src/classifier/centering.ts


def people(path, photos):
    flat = json.load(open(path, encoding="utf-8"))
    return [
        [np.array(v) if v else None for v in flat[p * photos : (p + 1) * photos]]
        for p in range(len(flat) // photos)
    ]


def found(xs):
    return [x for x in xs if x is not None]


def galleries(celebs, bbt):
    probes = [(p, e) for p, xs in enumerate(celebs) for e in found(xs[10:])]
    fifth = [(len(celebs) + p, xs[4]) for p, xs in enumerate(bbt) if xs[4] is not None]
    out = []
    for m in (1, 2, 4):
        out.append((f"{m} crop", [([found(xs[d * m : d * m + m]) for xs in celebs], probes) for d in range(10 // m)]))
    mixed = [
        ([found(xs[d : d + 1]) if (p + d) % 2 else found(xs[:10]) for p, xs in enumerate(celebs)], probes)
        for d in range(10)
    ]
    out.append(("1 or 10", mixed))
    for m in (1, 2, 4):
        out.append((f"bbt {m}", [([found(xs) for xs in celebs] + [found(xs[:m]) for xs in bbt], fifth)]))
    out.append(("10 + bbt 4", [([found(xs[:10]) for xs in celebs] + [found(xs[:4]) for xs in bbt], probes)]))
    return out


def centred(gallery, probes, prior):
    rows = np.array([e for g in gallery for e in g])
    mean = (rows.sum(0) + PRIOR_WEIGHT * prior) / (len(rows) + PRIOR_WEIGHT)

    def unit(v):
        return (v - mean) / np.linalg.norm(v - mean, axis=-1, keepdims=True)

    return [[unit(e) for e in g] for g in gallery], unit(probes)


def svm(scheme, C, prior):
    def predict(gallery, probes):
        if scheme.endswith("c"):
            gallery, probes = centred(gallery, probes, prior)
        base = scheme.rstrip("c")
        x = np.array([e for g in gallery for e in g])
        y = np.array([c for c, g in enumerate(gallery) for _ in g])
        n, k = len(y), len(gallery)
        count = np.bincount(y, minlength=k)
        scores = []
        for c in range(k):
            pos = y == c
            if base == "positives":
                w = np.where(pos, n / (k * count[c]), 1.0)
            elif base == "both":
                w = n / (k * count[y])
            elif base == "binary":
                w = np.where(pos, n / (2 * count[c]), n / (2 * (n - count[c])))
            elif base.startswith("up"):
                w = np.where(pos, float(base[2:]) * n / (k * count[c]), 1.0)
            else:
                raise SystemExit(f"unknown scheme {scheme}")
            model = LinearSVC(C=C, tol=1e-4, max_iter=10000, dual=True)
            scores.append(model.fit(x, pos.astype(int), sample_weight=w).decision_function(probes))
        return np.argmax(np.array(scores), 0)

    return predict


def centroid(gallery, probes):
    means = np.array([np.mean(g, 0) for g in gallery])
    return np.argmax(probes @ (means / np.linalg.norm(means, axis=1, keepdims=True)).T, 1)


def main(argv):
    if len(argv) < 5:
        sys.stderr.write(__doc__)
        return 2
    warnings.filterwarnings("ignore")
    celebs, bbt = people(argv[1], 20), people(argv[2], 5)
    profiles = json.load(open("models/calibration.json", encoding="utf-8"))["profiles"]
    int8 = next(p for p in profiles if p["tuning"].get("precision") == "int8")
    prior = np.frombuffer(base64.b64decode(int8["prior"]), dtype=np.float32).astype(np.float64)
    configs = galleries(celebs, bbt)
    methods = [("nearest centroid", centroid)]
    methods += [(f"{s} C={c}", svm(s, float(c), prior)) for s in argv[3].split(",") for c in argv[4].split(",")]
    print("| method | " + " | ".join(name for name, _ in configs) + " |")
    print("| --- " * (len(configs) + 1) + "|")
    for name, predict in methods:
        row = []
        for _, draws in configs:
            right = 0
            for gallery, probes in draws:
                x = np.array([e for _, e in probes])
                right += int((predict(gallery, x) == np.array([p for p, _ in probes])).sum())
            row.append(str(right))
        print(f"| {name} | " + " | ".join(row) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
