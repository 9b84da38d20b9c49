#!/usr/bin/python3
"""Reference for Lookalike's linear SVM: sklearn's LinearSVC (LIBLINEAR) with the same settings.

Reads one JSON file {"train": [{"label", "embedding"}...], "test": [...], "C": float,
"loss": "squared_hinge"|"hinge", "class_weight": "balanced"|null, "tol": float, "max_iter": int}
and prints one JSON line: {"classes": [...], "decision": [[...] per test row], "predicted": [...],
"top1": float|null, "trainSeconds": float}. Decision values are for `classes` in sklearn's sorted
order; with 2 classes sklearn gives one value, for classes[1], and this prints [-v, v].

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
    clf = LinearSVC(
        C=data.get("C", 1.0),
        loss=data.get("loss", "squared_hinge"),
        class_weight=data.get("class_weight"),
        tol=data.get("tol", 1e-4),
        max_iter=data.get("max_iter", 1000),
        intercept_scaling=1.0,
        dual=True,
    )
    start = time.perf_counter()
    clf.fit(train_x, train_y)
    seconds = time.perf_counter() - start
    decision, predicted, top1 = [], [], None
    if test:
        test_x = np.array([s["embedding"] for s in test], dtype=np.float64)
        d = clf.decision_function(test_x)
        if d.ndim == 1:
            d = np.stack([-d, d], axis=1)
        decision = d.tolist()
        predicted = [str(p) for p in clf.predict(test_x)]
        top1 = sum(p == s["label"] for p, s in zip(predicted, test)) / len(test)
    print(
        json.dumps(
            {
                "classes": [str(c) for c in clf.classes_],
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
