/**
 * ONNX Runtime 1.29 sends usage telemetry to Microsoft (1DS, `mobile.events.data.microsoft.com`)
 * from Linux and macOS too, once its environment starts: a DNS lookup and a request out of every
 * process that loads the model. Paperline computes its vectors on the machine and sends
 * nothing elsewhere, so it turns that off the one way ONNX Runtime offers outside Windows: the
 * environment variable `ORT_DISABLE_TELEMETRY=1`, read once, when the runtime starts. This module
 * sets it and must be evaluated before `onnxruntime-node` is (import it first). An operator who
 * sets the variable to something else keeps their choice.
 */
process.env.ORT_DISABLE_TELEMETRY ??= '1';
