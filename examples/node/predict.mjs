#!/usr/bin/env node
// Usage: node predict.mjs EXPORT_DIR "first sentence" ["second sentence" ...]
//        (a pair-task classifier: node predict.mjs EXPORT_DIR --pair "a" "b" ...)
// Prints one JSON line per sentence: {"text", "embedding"} for an encoder
// export, {"text", "label", "probabilities"} for a classifier export.
import { BertModel } from "./bert.mjs";

const [dir, ...rest] = process.argv.slice(2);
if (!dir || rest.length === 0) {
  console.error("usage: node predict.mjs EXPORT_DIR SENTENCE [SENTENCE ...]");
  process.exit(2);
}
const pair = rest[0] === "--pair";
const args = pair ? rest.slice(1) : rest;
if (pair && args.length % 2) {
  console.error("error: --pair takes an even number of sentences (a1 b1 a2 b2 ...)");
  process.exit(2);
}
let model;
try {
  model = await BertModel.load(dir);
} catch (e) {
  console.error(`error: ${e.message}`);
  process.exit(2);
}
const a = pair ? args.filter((_, i) => i % 2 === 0) : args;
const b = pair ? args.filter((_, i) => i % 2 === 1) : null;
for (const result of await model.predict(a, b)) console.log(JSON.stringify(result));
