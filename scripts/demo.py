"""The main job: export the embedded MiniLM to TF Hub form, then load it
the way any TF Hub user would, in a fresh Python process that imports only
tensorflow, tensorflow_text and tensorflow_hub (scripts/hub_consumer.py).

    python scripts/demo.py [--fresh]     # --fresh: re-export even if present
"""

import os
import subprocess
import sys

import bert_keras
from bert_keras.export import export_hub

OUT = os.path.join("out", "tfhub", "minilm")
SENTENCES = ["The movie was wonderful.", "I did not enjoy the film at all."]


def main():
    fresh = "--fresh" in sys.argv[1:]
    if fresh or not os.path.isfile(os.path.join(OUT, "encoder", "saved_model.pb")):
        print(f"== bert-keras export {bert_keras.DEFAULT_MODEL} {OUT}")
        export_hub(bert_keras.DEFAULT_MODEL, OUT, seq_length=128, overwrite=True)
    else:
        print(f"== reusing {OUT} (pass --fresh to export again)")
    print(f"== fresh process: hub.load('{OUT}/preprocess'), hub.load('{OUT}/encoder')",
          flush=True)
    consumer = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hub_consumer.py")
    # No bert_keras on the consumer's path: only TF, tf-text and tf-hub.
    env = dict(os.environ, PYTHONPATH="")
    return subprocess.call([sys.executable, consumer, OUT] + SENTENCES, env=env)


if __name__ == "__main__":
    sys.exit(main())
