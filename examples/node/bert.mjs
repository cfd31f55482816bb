// A bert-keras ONNX export in Node.js: tokenizes with the exported
// tokenizer.json (@huggingface/tokenizers, pure JS) and runs model.onnx
// with onnxruntime-node (CPU binaries shipped in the npm package).
//
//   import { BertModel } from "./bert.mjs";
//   const model = await BertModel.load("out/onnx");
//   const out = await model.run(["a gripping film"]);  // {embedding: [[...]], ...}

import fs from "node:fs";
import path from "node:path";
import ort from "onnxruntime-node";
import { Tokenizer } from "@huggingface/tokenizers";

const readJson = (file) => JSON.parse(fs.readFileSync(file, "utf8"));

// Round-robin trimming of two segments to `budget` tokens, as the Python
// tokenizer does (tf_text.RoundRobinTrimmer): each segment keeps about half.
export function roundRobin(lengths, budget) {
  if (lengths.length === 1) return [Math.min(lengths[0], budget)];
  const [la, lb] = lengths;
  const a = Math.min(la, Math.max(Math.ceil(budget / 2), budget - lb));
  return [a, Math.min(lb, budget - a)];
}

export class BertModel {
  constructor(dir, metadata, tokenizer, session) {
    this.dir = dir;
    this.metadata = metadata;
    this.tokenizer = tokenizer;
    this.session = session;
    this.ids = { cls: this.tokenId("[CLS]"), sep: this.tokenId("[SEP]"), pad: this.tokenId("[PAD]") };
  }

  static async load(dir, { threads } = {}) {
    const metadata = readJson(path.join(dir, "export.json"));
    if (metadata.format !== "onnx") {
      throw new Error(`${dir} is a ${metadata.format} export; Node.js needs --format onnx`);
    }
    const tokenizer = new Tokenizer(readJson(path.join(dir, "tokenizer.json")),
                                    readJson(path.join(dir, "tokenizer_config.json")));
    const options = threads ? { intraOpNumThreads: threads } : {};
    const session = await ort.InferenceSession.create(path.join(dir, metadata.model_file), options);
    return new BertModel(dir, metadata, tokenizer, session);
  }

  tokenId(token) {
    const id = this.tokenizer.encode(token, { add_special_tokens: false }).ids;
    if (id.length !== 1) throw new Error(`${token} is not a single token of the vocabulary`);
    return id[0];
  }

  // Strings (and optional second segments) -> packed int32 rows:
  // [CLS] a [SEP] (b [SEP]), trimmed to seq_length, padded to the longest.
  encode(texts, textsB = null) {
    const maxLength = this.metadata.seq_length;
    const rows = texts.map((text, i) => {
      const segments = [text].concat(textsB ? [textsB[i]] : [])
        .map((t) => this.tokenizer.encode(t, { add_special_tokens: false }).ids);
      const kept = roundRobin(segments.map((s) => s.length), maxLength - segments.length - 1);
      const ids = [this.ids.cls], types = [0];
      segments.forEach((s, k) => {
        for (const id of s.slice(0, kept[k]).concat([this.ids.sep])) { ids.push(id); types.push(k); }
      });
      return { ids, types };
    });
    const length = Math.max(...rows.map((r) => r.ids.length));
    const n = rows.length;
    const word = new Int32Array(n * length).fill(this.ids.pad);
    const mask = new Int32Array(n * length), type = new Int32Array(n * length);
    rows.forEach((r, i) => r.ids.forEach((id, j) => {
      word[i * length + j] = id; mask[i * length + j] = 1; type[i * length + j] = r.types[j];
    }));
    const dims = [n, length];
    return {
      input_word_ids: new ort.Tensor("int32", word, dims),
      input_mask: new ort.Tensor("int32", mask, dims),
      input_type_ids: new ort.Tensor("int32", type, dims),
    };
  }

  // -> {outputName: array of rows (nested arrays)}, plus `ids` (the token ids).
  async run(texts, textsB = null) {
    const feeds = this.encode(texts, textsB);
    const results = await this.session.run(feeds);
    const out = {};
    for (const [name, tensor] of Object.entries(results)) {
      out[name] = toNested(Array.from(tensor.data), tensor.dims);
    }
    const [n, length] = feeds.input_word_ids.dims;
    out.ids = Array.from({ length: n }, (_, i) =>
      Array.from(feeds.input_word_ids.data.slice(i * length, (i + 1) * length))
        .filter((_, j) => feeds.input_mask.data[i * length + j] === 1));
    return out;
  }

  // One result per text: {text, embedding} or {text, label, probabilities}.
  async predict(texts, textsB = null) {
    const out = await this.run(texts, textsB);
    const labels = this.metadata.task?.labels;
    return texts.map((text, i) => {
      if (this.metadata.kind === "encoder") return { text, embedding: out.embedding[i] };
      if (out.score) return { text, score: out.score[i] };
      const p = out.probabilities[i];
      const best = p.indexOf(Math.max(...p));
      return { text, label: labels ? labels[best] : best, probabilities: p };
    });
  }
}

function toNested(flat, dims) {
  if (dims.length <= 1) return flat;
  const size = flat.length / Number(dims[0]);
  return Array.from({ length: Number(dims[0]) }, (_, i) =>
    toNested(flat.slice(i * size, (i + 1) * size), dims.slice(1)));
}
