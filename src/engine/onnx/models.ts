/** The four ONNX models, by the stem of their file name in models/. */
export type OnnxModel = 'blazeface' | 'faceres' | 'landmarks68' | 'dlib-resnet';

/** Receives a model's input tensor (NCHW float32) just before it runs: build:models records them to calibrate int8. */
export type InputTap = (model: OnnxModel, data: Float32Array, dims: readonly number[]) => void;
