"""Static int8 quantisation of the engine's ONNX models with ONNX Runtime's own tool.

A maintainer-time step run by `npm run build:models` (users never need Python):
    python3 tools/quantize.py <calibration dir> <models dir> <model> [<model> ...]

The calibration dir holds, per model, `<model>.f32` (samples of one shape, float32, back to back)
and `index.json` ({model: {"input": name, "shape": [1, C, H, W], "count": n}}), recorded from the
engine's own inputs on real face photos. Each `<model>.onnx` becomes `<model>.int8.onnx`:
QDQ format, int8 weights per output channel, uint8 activations, ranges as SETTINGS says.
Every input is also calibrated as its mirror image (faces are near-symmetric, so this doubles
the variety of the few calibration faces without new photos).
"""

import json
import os
import sys
import tempfile

import numpy as np

try:
    import onnx
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

# Per model, chosen by npm run eval's fp32/int8 block and the descriptor cosine to fp32 on the eval
# photos (docs/engine-speed.md, "int8 variants"):
# - dlib-resnet (not in build-models.ts's INT8_MODELS now: even so it moved `same`): its first layer (the 7x7 convolution on the raw chip) and its last (the 256 -> 128
#   Gemm) kept in fp32, Percentile ranges (99.999 %, so that a few outlier activations do not
#   stretch a tensor's 256 steps): centred cosine to fp32 0.9975 -> 0.9986, and `same` on known
#   people 1.0 -> 0.5 points under fp32; the fp32 first layer costs about 0.9 ms a face.
# - faceres: MinMax. Its activations follow ReLU6, so every range is the same [0, 6] whatever the
#   method or photos; Percentile and fp32 first/last layers left its cosine within 0.0005. A
#   convolution excluded here breaks at load: ONNX Runtime 1.30's WeightBiasQuantization graph
#   transformer (basic level) quantises the fp32 weights of a Conv between a DequantizeLinear and a
#   QuantizeLinear itself, per tensor (conv_dw_7's channels span 0.16 to 11.5: cosine 0.22).
#   With that transformer disabled, all 13 depthwise layers in fp32 give cosine 0.9958 against 0.9940
#   and no better `same` (docs/engine-speed.md, "`same`, fp32 against int8, measured soundly").
SETTINGS = {
    "faceres": {"method": CalibrationMethod.MinMax, "fp32_ends": False},
    "dlib-resnet": {"method": CalibrationMethod.Percentile, "fp32_ends": True},
}


class Samples(CalibrationDataReader):
    def __init__(self, data, name):
        self.items = iter([{name: data[i : i + 1]} for i in range(data.shape[0])])

    def get_next(self):
        return next(self.items, None)


def end_layers(model_path):
    """The names of the graph's first and last Conv or Gemm nodes."""
    layers = [n.name for n in onnx.load(model_path).graph.node if n.op_type in ("Conv", "Gemm")]
    return [layers[0], layers[-1]]


def main():
    calib_dir, models_dir, *models = sys.argv[1:]
    index = json.load(open(os.path.join(calib_dir, "index.json")))
    for model in models:
        entry = index[model]
        settings = SETTINGS[model]
        shape = [entry["count"], *entry["shape"][1:]]
        data = np.fromfile(os.path.join(calib_dir, f"{model}.f32"), dtype=np.float32).reshape(shape)
        data = np.concatenate([data, np.ascontiguousarray(data[..., ::-1])])
        source = os.path.join(models_dir, f"{model}.onnx")
        with tempfile.TemporaryDirectory() as tmp:
            # Shape inference and constant folding first, as ONNX Runtime's quantisation guide advises.
            prepared = os.path.join(tmp, "prepared.onnx")
            quant_pre_process(source, prepared, skip_symbolic_shape=True)
            excluded = end_layers(prepared) if settings["fp32_ends"] else []
            quantize_static(
                prepared,
                os.path.join(models_dir, f"{model}.int8.onnx"),
                Samples(data, entry["input"]),
                quant_format=QuantFormat.QDQ,
                per_channel=True,
                weight_type=QuantType.QInt8,
                activation_type=QuantType.QUInt8,
                calibrate_method=settings["method"],
                nodes_to_exclude=excluded,
                # VNNI's u8 x s8 dot products do not saturate, so the full 8-bit range is kept
                # (reduce_range took faceres's cosine to fp32 from 0.994 to 0.944).
                reduce_range=False,
            )
        print(
            f"{model}.int8.onnx: {settings['method'].name} ranges from {data.shape[0]} inputs of"
            f" {entry['shape'][1:]} (with mirror images){', fp32 ' + ' and '.join(excluded) if excluded else ''}"
        )


main()
