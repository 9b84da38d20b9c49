/**
 * The stack of each thread that sets ONNX Runtime up (the pool's workers, the helper of onnx/prestart.ts),
 * in MB (Node's default is 4). The entry points turn ONNX Runtime's telemetry off (config's
 * quietOnnxRuntime), which removes the deep recursion in its set-up; this is the second line for
 * hosts that do not (tests, scripts) or an operator who set ORT_DISABLE_TELEMETRY=0. That set-up needs
 * about 290 bytes of stack per byte of the process's arguments; measured on onnxruntime-node 1.30, Node 20:
 * 4 MB survives 14 KB of arguments, 32 MB survives 113 KB (Linux caps one argument at 128 KB). Only the
 * pages a thread touches are committed, so the reservation costs address space, not memory.
 */
export const WORKER_STACK_MB = 32;
