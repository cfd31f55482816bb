"""The OpenVINO graph built op by op (`openvino_graph.py`): it is in the
form the CPU plugin fuses (one ScaledDotProductAttention per layer, MVN for
LayerNorm, no TensorFlow-style Einsum/Softmax/Select), every family
matches its Keras encoder in f32, and `load_runtime`'s length bucketing
gives the same per-sentence outputs in the caller's order."""

import numpy as np
import pytest

from tests.export.runtime_fixtures import sst2_dev, tiny_runtime_models  # noqa: F401

ov = pytest.importorskip("openvino")


def _ids(rng, config, batch=5, seq=11):
    """Random ids with unequal lengths (padding at the end of each row)."""
    lengths = rng.integers(2, seq + 1, batch)
    lengths[0] = seq
    mask = (np.arange(seq)[None] < lengths[:, None]).astype(np.int32)
    ids = np.where(mask, rng.integers(5, config.vocab_size, (batch, seq)),
                   config.pad_token_id).astype(np.int32)
    types = (rng.random((batch, seq)) < 0.3).astype(np.int32) * mask
    types = types if config.type_vocab_size > 1 else types * 0
    return {"input_word_ids": ids, "input_mask": mask, "input_type_ids": types}


@pytest.mark.parametrize("preset,extra", [
    ("tiny", {"hidden_act": "gelu"}),
    ("tiny", {"hidden_act": "gelu_tanh"}),
    ("albert_tiny", {"num_layers": 4, "num_hidden_groups": 2, "inner_group_num": 1,
                     "embedding_size": 16}),
    ("electra_small", {"num_layers": 2, "embedding_size": 16}),
    ("roberta_base", {"num_layers": 2, "pad_token_id": 1}),
])
def test_family_graph_matches_keras(preset, extra):
    import keras

    from bert_keras import BertConfig
    from bert_keras.export.openvino_graph import build_openvino_model
    from bert_keras.export.runtime_graph import ExportSource, RuntimeGraph
    from bert_keras.models import make_encoder

    keras.utils.set_random_seed(1)
    sizes = dict(hidden_size=32, num_heads=2, intermediate_size=64, vocab_size=60,
                 max_position_embeddings=40, initializer_range=0.2)
    config = BertConfig.preset(preset, **dict(sizes, **extra))
    source = ExportSource("encoder", make_encoder(config), None, None)
    inputs = _ids(np.random.default_rng(2), config)
    want = RuntimeGraph(source)(inputs)
    compiled = ov.Core().compile_model(build_openvino_model(source), "CPU",
                                       {"INFERENCE_PRECISION_HINT": "f32"})
    result = compiled(inputs)
    got = {o.get_any_name(): result[o] for o in compiled.outputs}
    assert set(got) == set(want)
    for name in want:
        assert np.std(want[name]) > 1e-2, name
        np.testing.assert_allclose(got[name], want[name], atol=1e-4, err_msg=name)


def test_export_is_in_fused_form(tiny_runtime_models, tmp_path):
    from bert_keras.export.runtime_export import export_runtime

    out = export_runtime(tiny_runtime_models["encoder"], str(tmp_path / "ov"), "openvino",
                         verbose=False)["model"]
    types = [op.get_type_name() for op in ov.Core().read_model(out).get_ordered_ops()]
    assert types.count("ScaledDotProductAttention") == 2  # one per layer
    assert types.count("MVN") == 5  # embeddings + 2 per layer
    assert not {"Einsum", "Softmax", "Select", "Power", "SquaredDifference"} & set(types)


def test_bucketing_keeps_outputs_and_order(tiny_runtime_models, tmp_path):
    from bert_keras.export.runtime_export import export_runtime, load_runtime

    out = export_runtime(tiny_runtime_models["encoder"], str(tmp_path / "ov"), "openvino",
                         verbose=False)["out"]
    texts = sst2_dev(21)
    plain = load_runtime(out, bucket_size=None)
    bucketed = load_runtime(out, bucket_size=4)
    want, got = plain(texts), bucketed(texts)
    mask = plain.encode(texts)["input_mask"][..., None]
    assert len(set(mask.sum(1).ravel())) > 5  # lengths really differ
    for name in ("embedding", "pooled_output"):
        np.testing.assert_allclose(got[name], want[name], atol=1e-5, err_msg=name)
    np.testing.assert_allclose(got["sequence_output"], want["sequence_output"] * mask, atol=1e-4)
    assert not got["sequence_output"][mask[..., 0] == 0].any()


def test_int8_keeps_feed_forward_output_unquantized(tiny_runtime_models, tmp_path):
    """NNCF int8 of the built graph: quantizers go in, but not in front of
    the feed-forward output projections (INT8_IGNORED), and the classifier
    still gives the f32 labels on most sentences."""
    pytest.importorskip("nncf")
    from bert_keras.export.openvino_export import quantize_int8
    from bert_keras.export.runtime_export import export_runtime, load_runtime

    out = export_runtime(tiny_runtime_models["classifier"], str(tmp_path / "ov"), "openvino",
                         verbose=False)["out"]
    q = quantize_int8(out, str(tmp_path / "int8"), sst2_dev(64)[32:], batch_size=8)
    model = ov.Core().read_model(str(tmp_path / "int8" / "model.xml"))
    quantized = {op.get_friendly_name() for op in model.get_ordered_ops()
                 if op.get_type_name() == "MatMul"
                 and any(i.get_source_output().get_node().get_type_name() == "FakeQuantize"
                         for i in op.inputs())}
    assert any("/query/" in n for n in quantized), quantized
    assert not any("/output/matmul" in n for n in quantized), quantized
    texts = sst2_dev(32)
    want = load_runtime(out).predict_labels(texts)
    got = load_runtime(q, precision="bf16").predict_labels(texts)
    assert sum(a == b for a, b in zip(want, got)) >= 26
