"""CLUE line-JSON: one JSON object a line (TNEWS: `label`, `label_desc`,
`sentence`, `keywords`).

    >>> from bert_keras.data.clue import read_tnews
    >>> dev = read_tnews("TNEWS/dev.json")  # doctest: +SKIP
    >>> len(dev), dev.labels[0]  # doctest: +SKIP
    (10000, 2)
"""

from bert_keras.data.tabular import read_table

# TNEWS: 15 classes; codes 105 and 111 are unused (CLUE labels.json).
TNEWS_LABELS = ["100", "101", "102", "103", "104", "106", "107", "108", "109",
                "110", "112", "113", "114", "115", "116"]
TNEWS_NAMES = ["news_story", "news_culture", "news_entertainment", "news_sports",
               "news_finance", "news_house", "news_car", "news_edu", "news_tech",
               "news_military", "news_travel", "news_world", "news_stock",
               "news_agriculture", "news_game"]


def read_tnews(path, skip_bad_rows=False):
    return read_table(path, text_a="sentence", label="label", label_values=TNEWS_LABELS,
                      fmt="jsonl", skip_bad_rows=skip_bad_rows)
