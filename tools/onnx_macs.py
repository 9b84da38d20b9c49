"""Multiply-accumulates of one inference of each ONNX model (Conv, Gemm, MatMul), by ONNX shape inference.

    python3 tools/onnx_macs.py models/dlib-resnet.onnx:150 models/landmarks68.onnx:112 ...

`:side` fixes the square input's height and width (and batch 1) where the graph leaves them free.
Prints one JSON object {file: macs}. npm run bench uses it for the ceiling.
"""

import json
import sys

import onnx
from onnx import numpy_helper, shape_inference


def macs(path, side):
    model = onnx.load(path)
    for dim_input in model.graph.input:
        dims = dim_input.type.tensor_type.shape.dim
        for i, d in enumerate(dims):
            if not d.dim_value:
                d.dim_value = 1 if i == 0 else (3 if i == 1 else side)
    model = shape_inference.infer_shapes(model)
    shapes = {}
    for v in [*model.graph.value_info, *model.graph.input, *model.graph.output]:
        shapes[v.name] = [d.dim_value for d in v.type.tensor_type.shape.dim]
    weights = {t.name: list(numpy_helper.to_array(t).shape) for t in model.graph.initializer}
    total = 0
    for node in model.graph.node:
        if node.op_type == "Conv":
            out = shapes.get(node.output[0])
            w = weights.get(node.input[1])
            if out and w:
                n, c, h, wd = out
                total += n * c * h * wd * w[1] * w[2] * w[3]
        elif node.op_type in ("Gemm", "MatMul"):
            a = shapes.get(node.input[0])
            w = weights.get(node.input[1]) or shapes.get(node.input[1])
            if a and w:
                rows = 1
                for x in a[:-1]:
                    rows *= x
                total += rows * w[-2] * w[-1] if node.op_type == "MatMul" else rows * w[0] * w[1]
    return total


print(json.dumps({arg.rsplit(":", 1)[0]: macs(*[arg.rsplit(":", 1)[0], int(arg.rsplit(":", 1)[1])]) for arg in sys.argv[1:]}))
