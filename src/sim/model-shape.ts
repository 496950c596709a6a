// Owns a model's architecture as the physics model needs it: read from a Hugging Face config.json
// (or a catalog entry, which uses the same field names) and the parameter counts derived from it.
// Pure; never reads files (the caller passes parsed JSON).

import { BenchError } from "../errors.js";

export interface ModelShape {
  id: string;
  layers: number;
  hidden: number;
  /** Dense MLP width (unused by all-MoE models). */
  intermediate: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  vocab: number;
  maxPositions: number;
  tieEmbeddings: boolean;
  /** 0 for dense models. */
  experts: number;
  expertsPerToken: number;
  moeIntermediate: number;
  sharedExperts: number;
  /** Quantisation named by the config (quantization_config.quant_method), if any. */
  quantMethod: string | undefined;
}

export interface ModelParams {
  /** Attention projection weights (q, k, v, o) of one layer. */
  attentionPerLayer: number;
  /** Dense MLP weights of one layer, or one expert's weights for MoE. */
  mlpPerLayer: number;
  /** MoE router weights of one layer (0 when dense). */
  routerPerLayer: number;
  /** Linear weights one token passes through in one layer (top-k experts for MoE). */
  activeLinearPerLayer: number;
  /** All linear weights of one layer (every expert). */
  totalLinearPerLayer: number;
  /** lm_head weights (vocab × hidden), streamed every step even when tied to the embedding. */
  lmHead: number;
  embedding: number;
  total: number;
  active: number;
}

type Json = Record<string, unknown>;

/**
 * Reads config.json fields (HF names; ChatGLM and Mixtral spellings mapped).
 * @example modelShapeFromConfig(JSON.parse(readFileSync("config.json", "utf8")), "my-model")
 */
export function modelShapeFromConfig(config: Json, id: string): ModelShape {
  const cfg = (config["text_config"] as Json | undefined) ?? config;
  const num = (...keys: string[]): number | undefined => {
    for (const k of keys) {
      const v = cfg[k];
      if (typeof v === "number" && Number.isFinite(v)) return v;
    }
    return undefined;
  };
  const need = (label: string, ...keys: string[]): number => {
    const v = num(...keys);
    if (v === undefined || v <= 0) {
      throw new BenchError("E_BAD_CONFIG", `model config ${id}: missing ${label} (${keys.join(" / ")})`, { where: "modelConfig" });
    }
    return v;
  };
  const layers = need("layer count", "num_hidden_layers", "num_layers", "n_layer");
  const hidden = need("hidden size", "hidden_size", "d_model", "n_embd");
  const heads = need("attention heads", "num_attention_heads", "n_head");
  const kvHeads = num("num_key_value_heads", "multi_query_group_num", "num_kv_heads") ?? heads;
  const headDim = num("head_dim", "kv_channels") ?? hidden / heads;
  const experts = num("num_experts", "num_local_experts", "n_routed_experts") ?? 0;
  const quant = cfg["quantization_config"] as Json | undefined;
  return {
    id,
    layers,
    hidden,
    intermediate: num("intermediate_size", "ffn_hidden_size", "n_inner") ?? 4 * hidden,
    heads,
    kvHeads,
    headDim,
    vocab: need("vocabulary size", "vocab_size", "padded_vocab_size"),
    maxPositions: num("max_position_embeddings", "seq_length", "n_positions") ?? 4096,
    tieEmbeddings: cfg["tie_word_embeddings"] === true,
    experts,
    expertsPerToken: experts > 0 ? (num("num_experts_per_tok", "num_experts_per_token", "top_k") ?? 2) : 0,
    moeIntermediate: experts > 0 ? (num("moe_intermediate_size") ?? num("intermediate_size", "ffn_hidden_size") ?? 4 * hidden) : 0,
    sharedExperts: num("num_shared_experts", "n_shared_experts") ?? 0,
    quantMethod: typeof quant?.["quant_method"] === "string" ? (quant["quant_method"] as string) : undefined,
  };
}

/** Parameter counts by the formulas of the shared catalog (SwiGLU MLP = 3·h·inter; biases and norms ignored). */
export function modelParams(m: ModelShape): ModelParams {
  const attentionPerLayer = m.hidden * m.heads * m.headDim * 2 + m.hidden * m.kvHeads * m.headDim * 2;
  const moe = m.experts > 0;
  const mlpPerLayer = 3 * m.hidden * (moe ? m.moeIntermediate : m.intermediate);
  const routerPerLayer = moe ? m.hidden * m.experts : 0;
  const shared = moe ? m.sharedExperts * mlpPerLayer : 0;
  const activeLinearPerLayer = attentionPerLayer + (moe ? m.expertsPerToken * mlpPerLayer + routerPerLayer + shared : mlpPerLayer);
  const totalLinearPerLayer = attentionPerLayer + (moe ? m.experts * mlpPerLayer + routerPerLayer + shared : mlpPerLayer);
  const lmHead = m.vocab * m.hidden;
  const embedding = m.vocab * m.hidden;
  const heads = m.tieEmbeddings ? embedding : embedding + lmHead;
  return {
    attentionPerLayer,
    mlpPerLayer,
    routerPerLayer,
    activeLinearPerLayer,
    totalLinearPerLayer,
    lmHead,
    embedding,
    total: m.layers * totalLinearPerLayer + heads,
    active: m.layers * activeLinearPerLayer + heads,
  };
}

/** KV bytes one token occupies on one GPU: K and V for its layers and its share of the KV heads. */
export function kvBytesPerToken(m: ModelShape, bytesPerElement: number, tp = 1, pp = 1): number {
  const kvHeadsPerGpu = Math.max(1, Math.ceil(m.kvHeads / tp));
  return 2 * Math.ceil(m.layers / pp) * kvHeadsPerGpu * m.headDim * bytesPerElement;
}

/** Expected distinct experts one layer touches for `tokens` tokens routed top-k of E uniformly. */
export function expertsTouched(m: ModelShape, tokens: number): number {
  if (m.experts === 0) return 0;
  return m.experts * (1 - Math.pow(1 - m.expertsPerToken / m.experts, Math.max(1, tokens)));
}
