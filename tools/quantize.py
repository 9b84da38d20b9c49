"""Static int8 quantisation of the engine's ONNX models with ONNX Runtime's own tool.

A maintainer-time step run by `npm run build:models` (users never need Python):
    python3 tools/quantize.py <calibration dir> <models dir> <model> [<model> ...]

The calibration dir holds, per model, `<model>.f32` (samples of one shape, float32, back to back)
and `index.json` ({model: {"input": name, "shape": [1, C, H, W], "count": n}}), recorded from the
engine's own inputs on real face photos. Each `<model>.onnx` becomes `<model>.int8.onnx`:
QDQ format, int8 weights per output channel, uint8 activations, MinMax ranges.
"""

import json
import os
import sys
import tempfile

import numpy as np

try:
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process
except ImportError:
    sys.exit("quantize.py needs ONNX Runtime's Python package: pip install onnxruntime onnx")


class Samples(CalibrationDataReader):
    def __init__(self, data, name):
        self.items = iter([{name: data[i : i + 1]} for i in range(data.shape[0])])

    def get_next(self):
        return next(self.items, None)


def main():
    calib_dir, models_dir, *models = sys.argv[1:]
    index = json.load(open(os.path.join(calib_dir, "index.json")))
    for model in models:
        entry = index[model]
        shape = [entry["count"], *entry["shape"][1:]]
        data = np.fromfile(os.path.join(calib_dir, f"{model}.f32"), dtype=np.float32).reshape(shape)
        source = os.path.join(models_dir, f"{model}.onnx")
        with tempfile.TemporaryDirectory() as tmp:
            # Shape inference and constant folding first, as ONNX Runtime's quantisation guide advises.
            prepared = os.path.join(tmp, "prepared.onnx")
            quant_pre_process(source, prepared, skip_symbolic_shape=True)
            quantize_static(
                prepared,
                os.path.join(models_dir, f"{model}.int8.onnx"),
                Samples(data, entry["input"]),
                quant_format=QuantFormat.QDQ,
                per_channel=True,
                weight_type=QuantType.QInt8,
                activation_type=QuantType.QUInt8,
                calibrate_method=CalibrationMethod.MinMax,
                # VNNI's u8 x s8 dot products do not saturate, so the full 8-bit range is kept.
                reduce_range=False,
            )
        print(f"{model}.int8.onnx: calibrated on {entry['count']} inputs of {entry['shape'][1:]}")


main()
