// Owns the named deployments a reader recognises: the GPU × model × context that `run` simulates
// when it is given no url and no --sim-gpu. Plain data; preset.ts turns them into an engine.

/** A named GPU × model deployment, in the spelling of the --sim-* settings. */
export interface NamedPreset {
  name: string;
  gpu: string;
  /** Catalog model id (a quantised repo implies its dtype). */
  model: string;
  maxModelLen: number;
}

/**
 * The embedded simulator's default: an RTX 4070 (12 GB) serving Qwen3-8B-AWQ with a 16k context.
 * Chosen so the default sweep (concurrency 1, 4, 16, 32 of 512 in / 128 out) shows a real server's
 * shape: 512-token prefills on 58 dense TFLOPS make the card compute-bound by ~16 streams, so
 * throughput flattens and TPOT doubles within the default levels (the knee at c=16), at token rates (≤ ~500/s) the
 * client handles on a fraction of one core. Qwen3 matches the bundled tokenizer, so counts are exact.
 * vLLM would refuse the model's 40,960 positions on this card (23k tokens of KV cache): hence 16,384.
 */
export const DEFAULT_RUN_PRESET: NamedPreset = {
  name: "rtx-4070-qwen3-8b-awq",
  gpu: "RTX-4070",
  model: "Qwen/Qwen3-8B-AWQ",
  maxModelLen: 16_384,
};
