#!/usr/bin/python3
"""Reference for the Lookalike classifier: OpenFace's `classifier.py train` on the same data.

Trains sklearn's SVC(C=1, kernel='linear', probability=True) exactly as OpenFace does (labels
encoded with LabelEncoder; prediction = argmax of predict_proba, confidence = that probability)
and prints one JSON line:
  {"top1": float, "trainSeconds": float, "n_train": int, "n_test": int, "meanConfidenceCorrect": float}

Usage (Debian's interpreter, which has sklearn 1.2; the `python3` on PATH does not):
  /usr/bin/python3 tools/sklearn_reference.py data.json [--seed N]
where data.json is {"train": [{"label": str, "embedding": [float, ...]}, ...], "test": [...same...]}.
--seed fixes libsvm's cross-validation shuffle (OpenFace leaves it random).
top1 and meanConfidenceCorrect are null when there is no test sample or no correct one.
"""

import json
import sys
import time

import numpy as np
from sklearn.preprocessing import LabelEncoder
from sklearn.svm import SVC


def load(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)

    def split(samples):
        labels = [s["label"] for s in samples]
        x = np.array([s["embedding"] for s in samples], dtype=np.float64)
        return labels, x

    return split(data["train"]), split(data.get("test", []))


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        sys.stderr.write(__doc__)
        return 2
    seed = None
    if "--seed" in argv:
        seed = int(argv[argv.index("--seed") + 1])
    (train_labels, train_x), (test_labels, test_x) = load(argv[1])
    if len(set(train_labels)) < 2:
        sys.stderr.write("need training samples of at least 2 labels\n")
        return 1

    # As OpenFace's classifier.py train: LabelEncoder, then SVC(C=1, kernel='linear', probability=True).
    le = LabelEncoder().fit(train_labels)
    clf = SVC(C=1, kernel="linear", probability=True, random_state=seed)
    start = time.perf_counter()
    clf.fit(train_x, le.transform(train_labels))
    train_seconds = time.perf_counter() - start

    # As OpenFace's infer: the answer is argmax of predict_proba, its probability the confidence.
    correct = 0
    confidence_sum = 0.0
    if len(test_labels) > 0:
        proba = clf.predict_proba(test_x)
        best = np.argmax(proba, axis=1)
        predicted = le.inverse_transform(clf.classes_[best])
        for label, guess, p, b in zip(test_labels, predicted, proba, best):
            if guess == label:
                correct += 1
                confidence_sum += float(p[b])
    n_test = len(test_labels)
    print(
        json.dumps(
            {
                "top1": correct / n_test if n_test else None,
                "trainSeconds": round(train_seconds, 4),
                "n_train": len(train_labels),
                "n_test": n_test,
                "meanConfidenceCorrect": confidence_sum / correct if correct else None,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
