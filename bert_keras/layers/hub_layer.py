"""`HubLayer`: any TF-Hub Reusable SavedModel as a Keras 3 layer.

`hub.KerasLayer` is a Keras 2 (`tf_keras`) layer, so Keras 3 models reject
it. This layer does the same job natively in Keras 3 (TensorFlow backend):
the SavedModel's own `tf.Variable`s become the layer's weights (shared, not
copied), so `model.fit` fine-tunes the SavedModel in place.
"""

import inspect
import os
import warnings

import keras
import tensorflow as tf
from bert_keras.errors import InputError, InputKeyError, MissingFileError


@keras.saving.register_keras_serializable(package="bert_keras")
class HubLayer(keras.layers.Layer):
    """Wraps a Reusable SavedModel (TF-Hub style) as a Keras 3 layer.

    Args:
        handle: path of a SavedModel directory, a `https://tfhub.dev/...` /
            Kaggle handle (resolved with `tensorflow_hub.resolve`), or an
            already loaded object or sub-object (`preprocess.bert_pack_inputs`,
            `encoder.mlm`). Only a path or handle can be serialized.
        trainable: whether `fit` updates the SavedModel's
            `trainable_variables`. Everything else (and everything, when
            False) is a non-trainable weight. With `trainable=True`, the
            SavedModel is called with `training=True` inside `fit`, and its
            `regularization_losses` join the model's losses.
        arguments: dict of extra keyword arguments for every call (e.g.
            `{"seq_length": 64}` for `bert_pack_inputs`).
        output_key: return only this key of a dict output.
        signature: call this serving signature instead of `__call__`
            (for SavedModels that are not Reusable; never trainable).
        attribute: call this attribute of the loaded handle instead of the
            root, e.g. `"mlm"`, `"tokenize"`, `"bert_pack_inputs"`; unlike a
            loaded sub-object passed as `handle`, this stays serializable.

    Inputs and outputs are whatever the SavedModel takes and returns (strings
    for a preprocessor, dicts, lists). Give `fit`/`predict` strings as a
    `tf.data.Dataset` or a numpy `dtype=object` array: Keras' data adapters
    reject numpy unicode (`"<U"`) arrays. Dtypes are fixed in the SavedModel, so
    inputs are never autocast and the layer never asks XLA to compile the
    graph (it may hold string or lookup-table ops).

    Example (a Keras 3 classifier that fine-tunes a TF-Hub BERT):

        preprocess = HubLayer("export/preprocess")
        encoder = HubLayer("export/encoder", trainable=True)
        text = keras.Input(shape=(), dtype="string")
        pooled = encoder(preprocess(text))["pooled_output"]
        model = keras.Model(text, keras.layers.Dense(2)(pooled))

    A runnable doctest, on a tiny Reusable SavedModel:
    >>> import tempfile
    >>> class Scale(tf.Module):
    ...     def __init__(self):
    ...         self.w = tf.Variable(2.0)
    ...     @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    ...     def __call__(self, x):
    ...         return x * self.w
    >>> path = tempfile.mkdtemp()
    >>> tf.saved_model.save(Scale(), path)
    >>> layer = HubLayer(path)
    >>> layer(tf.constant([1.0, 3.0])).numpy().tolist()
    [2.0, 6.0]
    >>> len(layer.weights), len(layer.trainable_weights)
    (1, 0)

    `model.export(path)` of a Keras 3 model built with HubLayers writes one
    self-contained serving SavedModel (strings in, when it starts with a
    preprocessor): the vocabulary Asset and the current weights go with it.

    To reload a `.keras` file that holds a `HubLayer`, pass
    `safe_mode=False` to `keras.saving.load_model`: like
    `keras.layers.TFSMLayer`, it loads an external SavedModel, whose graph
    Keras treats as untrusted code. The SavedModel must still be at the
    saved `handle`; the `.keras` file carries the (fine-tuned) weights.
    """

    def __init__(self, handle, trainable=False, arguments=None,
                 output_key=None, signature=None, attribute=None, **kwargs):
        kwargs.setdefault("autocast", False)
        super().__init__(trainable=trainable, **kwargs)
        self.supports_jit = False
        self._handle = handle
        self._arguments = dict(arguments or {})
        self._output_key = output_key
        self._signature = signature
        self._attribute = attribute

        self._loaded = _load(handle) if _is_path(handle) else handle
        obj = _get_attribute(self._loaded, attribute, handle)
        self._callable = _get_callable(obj, signature, handle)
        self._has_training_argument = (
            signature is None and _accepts_training(self._callable))

        # Reusable SavedModel API: `trainable_variables` (may be omitted when
        # empty, as in a frozen export) is a subset of `variables`.
        variables = _list_variables(obj, self._callable)
        trainable_ids = {
            id(v) for v in getattr(obj, "trainable_variables", None) or ()}
        if signature is not None:
            trainable_ids = set()  # signatures cannot be fine-tuned
        # Keras Variables that wrap (not copy) the SavedModel's variables;
        # assigning a list attribute makes Keras track them as weights.
        self._hub_weights = [
            keras.Variable(v, trainable=id(v) in trainable_ids,
                           autocast=False, name=_weight_name(v))
            for v in variables
        ]
        self._num_trainable = sum(w.trainable for w in self._hub_weights)
        if not self.trainable:
            # As Keras does for weights of a frozen layer; setting
            # `layer.trainable = True` later flips them back.
            for weight in self._hub_weights:
                weight.trainable = False
        self._regularization_losses = list(
            getattr(obj, "regularization_losses", None) or ())
        for loss in self._regularization_losses:
            if not callable(loss):
                raise InputError(
                    "HubLayer expects `regularization_losses` of the SavedModel "
                    "to be callables returning scalars; got "
                    f"{type(loss).__name__}")
        self._check_trainability()
        self.built = True

    @property
    def handle(self):
        return self._handle

    @property
    def resolved_object(self):
        """The loaded SavedModel (as `hub.KerasLayer.resolved_object`), e.g.
        for `layer.resolved_object.vocab_file.asset_path`."""
        return self._loaded

    @property
    def trainable(self):
        return super().trainable

    @trainable.setter
    def trainable(self, value):
        keras.layers.Layer.trainable.fset(self, value)
        if getattr(self, "built", False):
            self._check_trainability()

    def _check_trainability(self):
        if not self.trainable:
            return
        if self._signature is not None:
            raise InputError(
                f"HubLayer(signature={self._signature!r}) cannot be trainable: "
                "serving signatures have no training mode, no trainable "
                "variables and no regularization losses. Use the Reusable "
                "SavedModel's __call__ (signature=None), or trainable=False.")
        if self._num_trainable == 0:
            warnings.warn(
                f"HubLayer({_describe(self._handle)!r}) is trainable but has "
                "zero trainable weights: the SavedModel lists no "
                "`trainable_variables` (a frozen export?). Fitting will train "
                "only the layers around it.", stacklevel=3)

    def call(self, inputs, training=None):
        args, kwargs = [inputs], dict(self._arguments)
        if self._signature is not None and isinstance(inputs, dict):
            args, kwargs = [], {**kwargs, **inputs}
        if self._has_training_argument:
            # As hub.KerasLayer and BatchNormalization: a frozen layer always
            # runs in inference mode (no dropout), even inside `fit`.
            kwargs["training"] = bool(training) and self.trainable
        result = self._callable(*args, **kwargs)
        if self.trainable and training:
            for loss in self._regularization_losses:
                self.add_loss(loss())
        if self._output_key is not None:
            if not isinstance(result, dict):
                raise InputError(
                    f"HubLayer(output_key={self._output_key!r}) needs a dict "
                    f"output, got {type(result).__name__}")
            if self._output_key not in result:
                raise InputKeyError(
                    f"HubLayer output has no key {self._output_key!r}; "
                    f"available: {sorted(result)}")
            result = result[self._output_key]
        return result

    def get_config(self):
        if not _is_path(self._handle):
            raise NotImplementedError(
                "HubLayer was given a loaded object, which cannot be "
                "serialized. Pass the SavedModel path as `handle` (and e.g. "
                "`attribute='mlm'` for a sub-object) to save this model.")
        config = super().get_config()
        config.update(
            handle=os.fspath(self._handle),
            arguments=dict(self._arguments),
            output_key=self._output_key,
            signature=self._signature,
            attribute=self._attribute,
        )
        return config

    @classmethod
    def from_config(cls, config):
        # Same rule as keras.layers.TFSMLayer: only with safe mode off (the
        # `safe_mode=False` of load_model, or enable_unsafe_deserialization).
        from keras.src.saving import serialization_lib

        if serialization_lib.in_safe_mode() is False:
            return cls(**config)
        raise InputError(
            f"Loading a HubLayer loads the SavedModel at {config.get('handle')!r}, "
            "whose graph Keras treats as untrusted code, so it is disallowed "
            "in safe mode (as for keras.layers.TFSMLayer). If you trust it, "
            "pass `safe_mode=False` to `keras.saving.load_model`, or call "
            "`keras.config.enable_unsafe_deserialization()`.")


def _is_path(handle):
    return isinstance(handle, (str, os.PathLike))


def _describe(handle):
    return os.fspath(handle) if _is_path(handle) else type(handle).__name__


def _load(handle):
    handle = os.fspath(handle)
    if "://" in handle:  # tfhub.dev / Kaggle handles: download and cache.
        import tensorflow_hub as hub

        handle = hub.resolve(handle)
    elif not os.path.isdir(handle):
        raise MissingFileError(f"HubLayer: no SavedModel directory at {handle!r}")
    try:
        # BERT preprocessors need TF-Text's ops registered before loading.
        import tensorflow_text  # noqa: F401
    except ImportError:
        pass
    return tf.saved_model.load(handle)


def _get_attribute(obj, attribute, handle):
    for part in attribute.split(".") if attribute else ():
        if not hasattr(obj, part):
            raise AttributeError(
                f"HubLayer: the SavedModel at {_describe(handle)!r} has no "
                f"attribute {part!r} (of {attribute!r}); callable attributes: "
                f"{_callable_attributes(obj)}")
        obj = getattr(obj, part)
    return obj


def _get_callable(obj, signature, handle):
    signatures = dict(getattr(obj, "signatures", None) or {})
    if signature is not None:
        if signature not in signatures:
            raise InputError(
                f"HubLayer: unknown signature {signature!r} in "
                f"{_describe(handle)!r}; available: {sorted(signatures)}")
        return signatures[signature]
    if callable(obj):
        return obj
    raise InputError(
        f"HubLayer: {_describe(handle)!r} is not a Reusable SavedModel (it has "
        "no `__call__` tf.function). Call one of its attributes with "
        f"`attribute=` (callable: {_callable_attributes(obj)}), or a serving "
        f"signature with `signature=` (available: {sorted(signatures)}; "
        "inference only), or use keras.layers.TFSMLayer for a Keras "
        "`model.export()` artifact.")


def _callable_attributes(obj):
    names = []
    for name in dir(obj):
        if name.startswith("_") or name in ("signatures", "graph_debug_info"):
            continue
        try:
            if callable(getattr(obj, name)) and hasattr(
                    getattr(obj, name), "get_concrete_function"):
                names.append(name)
        except Exception:  # noqa: BLE001 - a broken attribute is just skipped
            continue
    return names


def _accepts_training(fn):
    # A restored object's own signature is (*args, **kwargs); its traced
    # `__call__` tf.function carries the real one.
    for candidate in (fn, getattr(fn, "__call__", None)):
        try:
            if "training" in inspect.signature(candidate).parameters:
                return True
        except (TypeError, ValueError):
            continue
    return False


def _list_variables(obj, fn):
    """The callable's variables: the Reusable API's `variables` attribute, or
    the variables a function or signature captures."""
    variables = getattr(obj, "variables", None)
    if variables is None:
        variables = [v for f in _concrete_functions(fn) for v in f.variables]
    unique, seen = [], set()
    for v in variables:
        if id(v) not in seen:
            seen.add(id(v))
            unique.append(v)
    return unique


def _concrete_functions(fn):
    for candidate in (fn, getattr(fn, "__call__", None)):
        if hasattr(candidate, "concrete_functions"):  # a restored tf.function
            return list(candidate.concrete_functions)
        if hasattr(candidate, "graph") and hasattr(candidate, "variables"):
            return [candidate]  # a ConcreteFunction (signature)
    return []


def _weight_name(variable):
    # Keras weight names cannot contain "/"; drop TF's ":0" suffix.
    return variable.name.split(":")[0].replace("/", "_")
