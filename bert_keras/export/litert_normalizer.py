"""A tensorflow_text `FastBertNormalizer` model that normalizes exactly as
our `BertTokenizer` does, so a LiteRT model can tokenize in the graph.

tensorflow_text's LiteRT-capable BERT tokenizer is `FastBertNormalizer` +
`FastWordpieceTokenizer` (the classic ops behind our `BertTokenizer` have no
TFLite kernel: see /work/shared/notes/runtime-facts.md 1.1-1.2). Its stock
normalizer (`lower_case_nfd_strip_accents=True`) is NFKC case folding + NFD +
accent stripping, with control and format characters turned into spaces;
BERT lowercases without NFKC ("ﬁ", full-width forms, "…" and a final "ς"
stay), removes control, format and private-use characters, and maps every
Unicode space to " ". On each code point of Unicode the two differ on
144,913 (most of them private use).

The normalizer's model is only a map from each code point to a string (a
darts-clone double-array trie over the code point's UTF-8 bytes, plus a
string pool: tensorflow_text `core/kernels/fast_bert_normalizer.h`,
`darts_clone_trie_wrapper.h`, `fast_bert_normalizer_model.fbs`), and our
normalization is a map from each character to a string too
(`BertTokenizer._aligned_words`). So `build_normalizer_model(tokenizer)`
computes our map for every code point with the tokenizer's own ops and
writes it in that format; `FastBertNormalizer(model_buffer=...)` runs it, in
TensorFlow and in LiteRT (custom op `FastBertNormalize`).

    >>> from bert_keras.export.litert_normalizer import build_normalizer_model
    >>> import tensorflow_text as tf_text
    >>> model = build_normalizer_model(tokenizer)               # doctest: +SKIP
    >>> tf_text.FastBertNormalizer(model_buffer=model).normalize(["ﬁ Ａ"])  # doctest: +SKIP
    <tf.Tensor: ... numpy=array([b'\\xef\\xac\\x81 \\xef\\xbd\\x81'], dtype=object)>
"""

import numpy as np

# Encoding of a code point's data (tensorflow_text `text_norm` constants).
_DIFFERENT = 0x40000000
_LENGTH_BITS = 6
_MAX_LENGTH = (1 << _LENGTH_BITS) - 1
_MAX_OFFSET = (1 << (32 - 2 - _LENGTH_BITS)) - 1
# darts-clone units: label in bits 0-7, "has a leaf" bit 8, offset to the
# children from bit 10 (bit 9 would scale it by 256; not needed below 2**21).
_HAS_LEAF = 0x100
_MAX_DIRECT_OFFSET = 1 << 21
# A value unit (and every unused unit) has the top bit set, so its label
# never equals a byte and no traversal lands on it.
_LEAF_FLAG = 0x80000000


def code_point_map(tokenizer):
    """{code point: its image} for every code point whose image under the
    tokenizer's normalization is not itself: whitespace -> " ", removed
    characters -> "", lowercased / accent-stripped ones -> their image."""
    import tensorflow as tf

    from bert_keras.tokenization.tokenizer import _WHITESPACE

    points = np.array([c for c in range(1, 0x110000) if not 0xD800 <= c < 0xE000], np.int32)
    chars = tf.strings.unicode_encode(tf.reshape(points, [-1, 1]), "UTF-8")
    images = tokenizer._normalize(chars)  # the tokenizer's own per-character step
    space = tf.strings.regex_full_match(chars, _WHITESPACE)
    images = tf.where(space, tf.constant(" "), images).numpy()
    encoded = chars.numpy()
    changed = np.flatnonzero(images != encoded)
    return {int(points[i]): images[i].decode("utf-8") for i in changed}


_BUILT = {}  # (lowercase, strip_accents) -> model bytes: the map depends on nothing else


def build_normalizer_model(tokenizer):
    """The `FastBertNormalizer` model (flatbuffer bytes) of `tokenizer`'s
    normalization (NUL is removed, as the tokenizer removes it)."""
    key = (bool(tokenizer.lowercase), bool(tokenizer.strip_accents))
    if key not in _BUILT:
        _BUILT[key] = _build(tokenizer)
    return _BUILT[key]


def _build(tokenizer):
    mapping = code_point_map(tokenizer)
    pool, offsets, data = bytearray(), {}, {}
    for cp, image in sorted(mapping.items()):
        raw = image.encode("utf-8")
        if len(raw) > _MAX_LENGTH:
            raise ValueError(f"U+{cp:04X} normalizes to {len(raw)} bytes (at most {_MAX_LENGTH})")
        value = _DIFFERENT | len(raw)
        if raw:
            if raw not in offsets:
                offsets[raw] = len(pool)
                pool += raw
            if offsets[raw] > _MAX_OFFSET:
                raise ValueError("normalized string pool too large")
            value |= offsets[raw] << _LENGTH_BITS
        data[chr(cp).encode("utf-8")] = value
    trie = build_trie(data)
    return _flatbuffer(trie, _DIFFERENT, bytes(pool) or b" ",
                       lower_case=bool(tokenizer.lowercase or tokenizer.strip_accents))


def build_trie(data):
    """A darts-clone double array `np.uint32[n]` for {key bytes: value}
    (keys non-empty, none a prefix of another, values < 2**31), in the
    layout `DartsCloneTrieWrapper` reads: the children of the node at `id`
    with offset `o` sit at `id ^ o ^ byte`, its value at `id ^ o`."""
    # The trie as nested dicts, node 0 the root.
    children, values = [{}], [None]
    for key, value in data.items():
        node = 0
        for byte in key:
            nxt = children[node].get(byte)
            if nxt is None:
                nxt = len(children)
                children[node][byte] = nxt
                children.append({})
                values.append(None)
            node = nxt
        values[node] = value
    labels_of = []
    for node in range(len(children)):
        labels = sorted(children[node])
        labels_of.append(([0] if values[node] is not None else []) + labels)
    # Bases first (a node's base does not depend on where the node sits):
    # many-child nodes while the array is small, then the one-child nodes
    # (most of them: a key's last byte, whose one child is its value) fill
    # the gaps left.
    slots = _Slots()
    base_of = [None] * len(children)
    many = [n for n in range(len(children)) if len(labels_of[n]) > 1]
    for node in sorted(many, key=lambda n: -len(labels_of[n])):
        base_of[node] = slots.take_many(labels_of[node])
    leaves = [n for n in range(len(children)) if labels_of[n] == [0]]
    for node, base in zip(leaves, slots.take_free(len(leaves))):
        base_of[node] = base
    for node in range(len(children)):
        if len(labels_of[node]) == 1 and base_of[node] is None:
            base_of[node] = slots.take_one(labels_of[node][0])
    units = np.full(slots.size, _LEAF_FLAG, np.uint32)
    units[0] = 0
    position = {0: 0}
    queue = [0]
    for node in queue:  # breadth first: a node's position comes from its parent
        here, base = position[node], base_of[node]
        if base is None:
            continue
        offset = here ^ base
        if offset >= _MAX_DIRECT_OFFSET:
            raise ValueError("trie too large for direct offsets")
        label = int(units[here]) & 0xFF if node else 0
        units[here] = label | (offset << 10) | (_HAS_LEAF if values[node] is not None else 0)
        for label in labels_of[node]:
            if label == 0 and values[node] is not None:
                units[base] = _LEAF_FLAG | values[node]
            else:
                child = children[node][label]
                position[child] = base ^ label
                units[base ^ label] = label  # its offset is set when it is dequeued
                queue.append(child)
    used = units != _LEAF_FLAG
    # Keep whole 256-unit blocks: a failed step reads at most within one.
    end = (int(np.flatnonzero(used).max()) | 0xFF) + 1
    return units[:end]


class _Slots:
    """Free positions of the double array and the bases already taken
    (two nodes with one base would share children)."""

    def __init__(self):
        self.size = 1 << 12
        self.used = np.zeros(self.size, bool)
        self.used[0] = True  # the root
        self.free = np.full(self.size // 256, 256)
        self.free[0] -= 1
        self.bases = set()
        self.next_free = 1
        self.first_block = 0

    def _grow(self, need):
        while need + 256 > self.size:
            self.used = np.concatenate([self.used, np.zeros(self.size, bool)])
            self.free = np.concatenate([self.free, np.full(self.size // 256, 256)])
            self.size *= 2

    def _take(self, base, labels):
        self.bases.add(base)
        for label in labels:
            self.used[base ^ label] = True
            self.free[(base ^ label) >> 8] -= 1
        self._grow(max(base ^ label for label in labels) + 1)
        return base

    def take_free(self, count):
        """`count` bases for nodes whose one child has label 0 (a key's
        value): the lowest free positions that are no node's base yet."""
        self._grow(len(self.used) + count + 256)
        free = np.flatnonzero(~self.used)
        free = free[~np.isin(free, np.fromiter(self.bases, np.int64, len(self.bases)))][:count]
        self.used[free] = True
        np.subtract.at(self.free, free >> 8, 1)
        self.bases.update(free.tolist())
        return free.tolist()

    def take_one(self, label):
        while self.used[self.next_free] or (self.next_free ^ label) in self.bases:
            self.next_free += 1
        return self._take(self.next_free ^ label, [label])

    def take_many(self, labels):
        """The lowest base whose children `base ^ label` are all free,
        searched a 256-unit block at a time with numpy."""
        spread = np.arange(256)[:, None] ^ np.asarray(labels)[None, :]
        while self.free[self.first_block] < 2:
            self.first_block += 1
        for block in range(self.first_block, len(self.free)):
            if self.free[block] < len(labels):
                continue
            window = self.used[block * 256:(block + 1) * 256]
            for x in np.flatnonzero(~window[spread].any(axis=1)):
                if block * 256 + int(x) not in self.bases:
                    return self._take(block * 256 + int(x), labels)
        self._grow(self.size + 256)
        return self.take_many(labels)


def _flatbuffer(trie, data_for_zero, pool, lower_case):
    """`FastBertNormalizerModel` (tensorflow_text
    `fast_bert_normalizer_model.fbs`): lower_case_nfd_strip_accents: bool,
    trie_array: [uint32], data_for_codepoint_zero: int32,
    normalized_string_pool: [ubyte]."""
    import flatbuffers

    builder = flatbuffers.Builder(len(trie) * 4 + len(pool) + 1024)
    pool_vec = builder.CreateNumpyVector(np.frombuffer(pool, np.uint8))
    trie_vec = builder.CreateNumpyVector(np.asarray(trie, np.uint32))
    builder.StartObject(4)
    builder.PrependUOffsetTRelativeSlot(3, pool_vec, 0)
    builder.PrependUOffsetTRelativeSlot(1, trie_vec, 0)
    builder.PrependInt32Slot(2, int(data_for_zero), 0)
    builder.PrependBoolSlot(0, bool(lower_case), False)
    builder.Finish(builder.EndObject())
    return bytes(builder.Output())
