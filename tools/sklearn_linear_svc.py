#!/usr/bin/python3
"""Reference for Lookalike's linear SVM: sklearn's LinearSVC (LIBLINEAR) with the same settings.

Reads one JSON file {"train": [{"label", "embedding"}...], "test": [...], "C": float,
"loss": "squared_hinge"|"hinge", "class_weight": "balanced"|null, "tol": float, "max_iter": int,
"weigh_negatives": bool}
and prints one JSON line: {"classes": [...], "decision": [[...] per test row], "predicted": [...],
"top1": float|null, "trainSeconds": float}. Decision values are for `classes` in sklearn's sorted
order; with 2 classes sklearn gives one value, for classes[1], and this prints [-v, v].

With "weigh_negatives" (and 3 classes or more) each class gets its own two-class LinearSVC, every
sample weighted by its own class's weight (sample_weight), as Lookalike weighs one-vs-rest problems;
sklearn's multi-class LinearSVC weighs only each problem's positives.

Usage: /usr/bin/python3 tools/sklearn_linear_svc.py data.json
"""

import json
import sys
import time

import numpy as np
from sklearn.svm import LinearSVC


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        data = json.load(f)
    train_y = [s["label"] for s in data["train"]]
    train_x = np.array([s["embedding"] for s in data["train"]], dtype=np.float64)
    test = data.get("test", [])
    settings = dict(
        C=data.get("C", 1.0),
        loss=data.get("loss", "squared_hinge"),
        tol=data.get("tol", 1e-4),
        max_iter=data.get("max_iter", 1000),
        intercept_scaling=1.0,
        dual=True,
    )
    classes = sorted(set(train_y))
    per_class = data.get("weigh_negatives", False) and len(classes) > 2
    start = time.perf_counter()
    if per_class:
        y = np.array(train_y)
        if data.get("class_weight") is None:
            weight = np.ones(len(y))
        else:
            counts = {c: int((y == c).sum()) for c in classes}
            weight = np.array([len(y) / (len(classes) * counts[label]) for label in train_y])
        models = [
            LinearSVC(**settings).fit(train_x, (y == c).astype(int), sample_weight=weight)
            for c in classes
        ]
    else:
        clf = LinearSVC(class_weight=data.get("class_weight"), **settings).fit(train_x, train_y)
    seconds = time.perf_counter() - start
    decision, predicted, top1 = [], [], None
    if test:
        test_x = np.array([s["embedding"] for s in test], dtype=np.float64)
        if per_class:
            d = np.stack([m.decision_function(test_x) for m in models], axis=1)
            predicted = [classes[i] for i in d.argmax(axis=1)]
        else:
            d = clf.decision_function(test_x)
            if d.ndim == 1:
                d = np.stack([-d, d], axis=1)
            predicted = [str(p) for p in clf.predict(test_x)]
        decision = d.tolist()
        top1 = sum(p == s["label"] for p, s in zip(predicted, test)) / len(test)
    print(
        json.dumps(
            {
                "classes": [str(c) for c in classes],
                "decision": decision,
                "predicted": predicted,
                "top1": top1,
                "trainSeconds": round(seconds, 4),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
