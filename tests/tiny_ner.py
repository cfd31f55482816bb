"""Helpers for NER tests: a toy tagged corpus a tiny random BERT learns in
seconds, written as a CoNLL column file, and its vocabulary."""

import random

PEOPLE = ["john", "mary", "peter", "anna"]
PLACES = ["paris", "london", "berlin", "rome"]
ORGS = ["acme", "globex"]
OTHER = ["lives", "in", "visited", "works", "for", "the", "met", "at", ".", ","]
NER_VOCAB = (["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + PEOPLE + PLACES + ORGS
             + OTHER + ["smith", "##s"])


def toy_sentences(n, seed=0):
    """(words, IOB2 tags) pairs: people, places and organisations in a few
    templates."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        person, place, org = rng.choice(PEOPLE), rng.choice(PLACES), rng.choice(ORGS)
        template = rng.randrange(3)
        if template == 0:
            words, tags = [person.title(), "lives", "in", place.title(), "."], \
                ["B-PER", "O", "O", "B-LOC", "O"]
        elif template == 1:
            words, tags = [person.title(), "Smith", "works", "for", org.upper(), "."], \
                ["B-PER", "I-PER", "O", "O", "B-ORG", "O"]
        else:
            words, tags = ["the", place.title(), "met", person.title(), "at", org.title()], \
                ["O", "B-LOC", "O", "B-PER", "O", "B-ORG"]
        out.append((words, tags))
    return out


def write_conll(path, sentences, iob1=False, docstart=True):
    """A CoNLL-2003-style file (`word POS chunk TAG`); `iob1` writes I-X
    where an entity starts, as CoNLL-2003 is distributed."""
    lines = ["-DOCSTART- -X- O O", ""] if docstart else []
    for words, tags in sentences:
        for word, tag in zip(words, tags):
            if iob1 and tag.startswith("B-"):
                tag = "I-" + tag[2:]
            lines.append(f"{word} NN O {tag}")
        lines.append("")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return str(path)
