"""Input pipelines: pretraining examples and task datasets.

Fine-tuning data: `glue` / `clue` / `tabular` / `tfds` readers give
`Examples`; `tasks.get_task(name)` ties a task name to its reader, labels
and metrics.
"""
