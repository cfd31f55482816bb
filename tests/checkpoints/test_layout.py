"""The layout per model type, the name tables over it, and the one tensor
check: every format's names cover exactly the layout's tensors."""

import numpy as np
import pytest

from bert_keras import BertConfig
from bert_keras.checkpoints import canonical, layout, name_tables, translate, zoo
from bert_keras.models import make_encoder

CONFIGS = {
    "bert": BertConfig.preset("tiny", vocab_size=30, num_layers=2, hidden_size=16,
                              num_heads=2, intermediate_size=24, max_position_embeddings=20),
    "albert": BertConfig.preset("albert_tiny", vocab_size=30, num_layers=4, hidden_size=16,
                                num_heads=2, intermediate_size=24, embedding_size=8,
                                max_position_embeddings=20, num_hidden_groups=2),
    "electra": BertConfig.preset("electra_small", vocab_size=30, num_layers=2, hidden_size=16,
                                 num_heads=2, intermediate_size=24, embedding_size=8,
                                 max_position_embeddings=20),
    "roberta": BertConfig.preset("roberta_base", vocab_size=30, num_layers=2, hidden_size=16,
                                 num_heads=2, intermediate_size=24, max_position_embeddings=22),
}


@pytest.mark.parametrize("model_type", sorted(CONFIGS))
def test_our_encoders_hold_exactly_the_layout(model_type):
    config = CONFIGS[model_type]
    encoder = make_encoder(config)
    weights = canonical.read_encoder(encoder)
    shapes = layout.expected_shapes(config)
    assert {k: v.shape for k, v in weights.items()} == shapes
    # Every variable of the encoder is in the layout, once.
    assert len(weights) == len(encoder.weights)
    assert sum(int(np.prod(s)) for s in shapes.values()) == encoder.count_params()
    assert zoo.parameter_count(config) == encoder.count_params()


@pytest.mark.parametrize("model_type", sorted(CONFIGS))
def test_source_tables_name_every_tensor_once(model_type):
    config = CONFIGS[model_type]
    tables = [name_tables.HF] + ([name_tables.TF1] if model_type in name_tables.TF1 else [])
    for table in tables:
        heads = tuple(h for h in ("mlm", "nsp") if all(
            s in table[model_type].names for s, _, _ in layout.HEADS[h]))
        names = name_tables.source_names(table[model_type], config, heads)
        assert set(names) == set(layout.expected_shapes(config, heads))
        assert len({n for n, _ in names.values()}) == len(names)


def test_model_type_told_from_tf1_names():
    for model_type in ("bert", "albert", "electra"):
        names = name_tables.source_names(name_tables.TF1[model_type], CONFIGS[model_type])
        found = translate.detect_model_type({n for n, _ in names.values()}, name_tables.TF1)
        assert found == model_type


def test_the_one_check():
    expected = {"a": (2, 3), "b": (3,)}
    good = {"a": np.zeros((2, 3)), "b": np.zeros(3)}
    layout.check_tensors(good, expected, "src")
    with pytest.raises(KeyError, match="src: missing tensor 'x/b'"):
        layout.check_tensors({"a": good["a"]}, expected, "src", origin={"b": "x/b"})
    with pytest.raises(ValueError, match=r"'a' has shape \(3, 2\).*expects \(2, 3\)"):
        layout.check_tensors(dict(good, a=np.zeros((3, 2))), expected, "src")
    with pytest.raises(ValueError, match=r"unexpected tensors.*\['c'\]"):
        layout.check_tensors(dict(good, c=np.zeros(1)), expected, "src")
    layout.check_tensors(dict(good, c=np.zeros(1)), expected, "src", allow_unexpected=True)


def test_classifier_head_slots():
    """What tasks/classifier.py can call instead of naming tensors."""
    from bert_keras.heads import BertClassificationHead

    head = BertClassificationHead(3)
    head.build((None, 16))
    weights = canonical.read_head(head, "classifier")
    assert {k: v.shape for k, v in weights.items()} == {
        "classifier/kernel": (16, 3), "classifier/bias": (3,)}
    weights = {k: np.ones_like(v) for k, v in weights.items()}
    canonical.assign_head(head, "classifier", weights, "test")
    assert float(np.asarray(head.dense.kernel).sum()) == 48.0
    with pytest.raises(ValueError, match="classifier/kernel"):
        canonical.assign_head(head, "classifier", dict(weights, **{
            "classifier/kernel": np.ones((16, 4))}), "test")


def test_docstring_examples():
    import doctest

    for module in (layout, name_tables, canonical, zoo):
        result = doctest.testmod(module, verbose=False)
        assert result.attempted > 0 and result.failed == 0, module.__name__
