// npm test: checks the example against an export named by BERT_KERAS_EXPORT
// (tests/examples/test_node_example.py exports a tiny model and writes the
// Python results to expected.json beside it). Without it, the tests skip.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { BertModel, roundRobin } from "../bert.mjs";

const dir = process.env.BERT_KERAS_EXPORT;
const skip = dir ? false : "set BERT_KERAS_EXPORT to a bert-keras --format onnx export";
const here = path.dirname(fileURLToPath(import.meta.url));

test("round-robin trimming keeps about half of each segment", () => {
  assert.deepEqual(roundRobin([10, 10], 7), [4, 3]);
  assert.deepEqual(roundRobin([2, 10], 7), [2, 5]);
  assert.deepEqual(roundRobin([10, 2], 7), [5, 2]);
  assert.deepEqual(roundRobin([3], 7), [3]);
});

test("token ids and outputs equal Python's (1e-4)", { skip }, async () => {
  const expected = JSON.parse(fs.readFileSync(path.join(dir, "expected.json"), "utf8"));
  const model = await BertModel.load(dir);
  const out = await model.run(expected.texts);
  assert.deepEqual(out.ids, expected.ids);
  for (const [name, want] of Object.entries(expected.outputs)) {
    const got = out[name].flat(Infinity), flat = want.flat(Infinity);
    assert.equal(got.length, flat.length, name);
    const diff = Math.max(...got.map((g, i) => Math.abs(g - flat[i])));
    assert.ok(diff <= 1e-4, `${name}: max |node - python| = ${diff}`);
  }
  if (expected.labels) {
    const predicted = (await model.predict(expected.texts)).map((r) => r.label);
    assert.deepEqual(predicted, expected.labels);
  }
});

test("the command line prints one JSON line per sentence", { skip }, () => {
  const printed = execFileSync(process.execPath,
    [path.join(here, "..", "predict.mjs"), dir, "a gripping film", "dull"], { encoding: "utf8" });
  const lines = printed.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  assert.equal(lines[1].text, "dull");
  const row = lines[0].embedding ?? lines[0].probabilities;
  assert.ok(Array.isArray(row) && row.length > 0);
});
