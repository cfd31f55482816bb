"""`OUT/README.md`: a model card in the style of a tfhub.dev page."""

import json


def model_card(model, seq_length, frozen, folded, with_mlm, name, example_ids, source=None,
               dynamic_length=False, tokenizer_kind="wordpiece"):
    """Markdown text describing an export of `model` (a `BertModelDir`);
    `example_ids` are the packed ids of "hello world", for the CLI example."""
    n = len(example_ids)
    example = (f"input_word_ids=[{example_ids}];input_mask=[{[1] * n}];"
               f"input_type_ids=[{[0] * n}]").replace(" ", "")
    c = model.config
    L, H = c.num_layers, c.hidden_size
    casing = "uncased (lowercased, accents stripped)" if model.tokenizer.lowercase else "cased"
    form = ("frozen: no trainable variables, dropout never active"
            + (", variables folded into constants (graph-only runtimes can load it)"
               if folded else ", variables kept (too big to fold into one GraphDef)")
            if frozen else "trainable: all encoder weights are trainable variables; "
            "dropout active with `training=True`")
    # ELECTRA checkpoints have no pooler: its encoder returns the [CLS] state.
    pooled = (" (the final `[CLS]` hidden state: ELECTRA has no pooler)"
              if c.model_type == "electra" else " (dense + tanh on `[CLS]`)")
    # What the preprocess model's tokenizer is (hub_preprocess.tokenizer_kind).
    pieces, vocab_assets, tokens_shape, packing = {
        "wordpiece": ("WordPieces", "`encoder.vocab_file`, `preprocess.vocab_file`",
                      "`[batch, (words), (wordpieces)]`", "`[CLS] a [SEP] b [SEP]`"),
        "sentencepiece": ("SentencePieces", "`preprocess.sp_model_file`",
                          "`[batch, (tokens)]`", "`[CLS] a [SEP] b [SEP]`"),
        "bpe": ("byte-level BPE tokens",
                "`preprocess.vocab_file` (vocab.json), `preprocess.merges_file`",
                "`[batch, (tokens)]`", "`<s> a </s></s> b </s>` (token types all 0)"),
    }[tokenizer_kind]
    if dynamic_length:  # export --dynamic-length
        call_shape = (f"`[batch, n]`, n the longest input of the batch (at most {seq_length}, "
                      "longer inputs are truncated)")
        empty_shape = "`[0, 0]`"
    else:
        call_shape, empty_shape = f"`[batch, {seq_length}]`", f"`[0, {seq_length}]`"
    mlm = ""
    if with_mlm:
        mlm = f"""
### `encoder.mlm`

The same inputs plus `masked_lm_positions` (int32 `[batch, num_predictions]`,
zero-padded) and the same outputs plus `mlm_logits` (float32
`[batch, num_predictions, {c.vocab_size}]`). Its variables (encoder + masked-LM
head) are listed on `encoder.mlm`, not on the root.

```python
mlm = hub.KerasLayer(encoder.mlm, trainable={not frozen})  # tf_keras
```
"""
    return f"""# {name}

BERT encoder exported by `bert_keras` in the TF Hub format of
`bert_en_uncased_L-12_H-768_A-12/4` and `bert_en_uncased_preprocess/3`.
Consumers need only TensorFlow, `tensorflow_text` and optionally
`tensorflow_hub`; not `bert_keras`. Loaders must `import tensorflow_text`
before loading: the preprocess model uses its ops, and without it loading
fails with
`Op type not registered 'NormalizeUTF8'`. TF Serving has these ops built in.

| | |
|---|---|
| Source | `{source or model.source or model.path}` |
| Model type | {c.model_type} |
| Layers (L) | {L} |
| Hidden size (H) | {H} |
| Attention heads | {c.num_heads} |
| Intermediate size | {c.intermediate_size} |
| Activation | {c.hidden_act} |
| Max positions | {c.max_position_embeddings} |
| Vocabulary | {c.vocab_size} {pieces} ({vocab_assets}) |
| Casing | {casing} |
| Form | {form} |
| Fine-tunable | {"no" if frozen else "yes"} |
| Masked-LM head | {"yes (`encoder.mlm`)" if with_mlm else "no"} |
| Default sequence length | {seq_length} |

Config: `{json.dumps(c.to_dict())}`

## Loading

```python
import tensorflow as tf
import tensorflow_hub as hub
import tensorflow_text  # registers the ops the preprocess model uses

preprocess = hub.load("preprocess")
encoder = hub.load("encoder")
outputs = encoder(preprocess(tf.constant(["hello world"])))
outputs["pooled_output"]  # [1, {H}]
```

In a Keras 2 (`tf_keras`) model:

```python
import tf_keras
text = tf_keras.layers.Input(shape=(), dtype=tf.string)
inputs = hub.KerasLayer("preprocess")(text)
outputs = hub.KerasLayer("encoder", trainable={not frozen})(inputs)
```

In a Keras 3 model (`hub.KerasLayer` only works with `tf_keras`):

```python
from bert_keras.layers.hub_layer import HubLayer
outputs = HubLayer("encoder", trainable={not frozen})(inputs)
```

Sentence embeddings (mean of `sequence_output` over the mask, L2-normalized,
as sentence-transformers computes them): `encoder.embed(inputs)`, float32
`[batch, {H}]`; the cosine similarity of two texts is their dot product.

For TF Serving, use the encoder's `serving_default` signature (below).
`saved_model_cli` cannot load graphs with tf-text ops; run them from Python:
`python -c "import tensorflow as tf, tensorflow_text; m = tf.saved_model.load('preprocess'); print(m(tf.constant(['hello world'])))"`.

## Preprocess (`preprocess/`)

No trainable variables.

- `preprocess(strings)`: tf.string `[batch]` → dict of int32 {call_shape}:
  `input_word_ids`, `input_mask`, `input_type_ids`. Other dtypes or shapes are
  rejected ("Can not cast TensorSpec ..."); an empty batch gives {empty_shape}.
- `preprocess.tokenize(strings)`: int32 RaggedTensor {tokens_shape}.
- `preprocess.tokenize.get_special_tokens_dict()`: scalar int32 `vocab_size`,
  `padding_id`, `start_of_sequence_id`, `end_of_segment_id`, `mask_id`.
- `preprocess.bert_pack_inputs(segments, seq_length={seq_length})`: a list of 1 or 2
  int32 RaggedTensors (ragged rank 1 or 2, as `tokenize` returns) →
  {packing} padded to `seq_length` (a scalar int32, any value ≥ 3),
  trimmed round-robin.

## Encoder (`encoder/`)

`encoder(inputs, training=False)`: `inputs` is a dict of three int32 tensors
`[batch, seq]` (any batch size and length up to {c.max_position_embeddings}):

- `input_word_ids`: token ids with `[CLS]`, `[SEP]` and `[PAD]`;
- `input_mask`: 1 for real tokens, 0 for padding;
- `input_type_ids`: segment index (0 for the first, 1 for the second segment).

A missing key or another dtype fails with "Could not find matching concrete
function" listing these expected inputs. Outputs (float32):

- `pooled_output` `[batch, {H}]`{pooled}, and `default`, the same tensor;
- `sequence_output` `[batch, seq, {H}]`;
- `encoder_outputs`: a list of {L} tensors `[batch, seq, {H}]`, one per layer
  (the last equals `sequence_output`).

Attributes: `variables`, `trainable_variables` ({"empty" if frozen else "all encoder weights"}),
`regularization_losses` (empty), `vocab_file` (Asset), `do_lower_case` (bool Variable).
{mlm}
### `serving_default` signature

Inputs `input_word_ids`, `input_mask`, `input_type_ids` (int32 `[-1, -1]`);
outputs `pooled_output`, `sequence_output`, `encoder_outputs_0` …
`encoder_outputs_{L - 1}`.

```bash
saved_model_cli run --dir encoder --tag_set serve --signature_def serving_default \\
  --input_exprs '{example}'
```
"""
