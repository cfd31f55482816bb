"""Question answering on the command line: the QA parts of `finetune`,
`evaluate` and `predict` (they dispatch here on the model's task type).

    bert-keras finetune MODEL --task squad --train F --dev F --out D \\
        [--doc-stride 128 --max-query-length 64 --max-answer-length 30]
    bert-keras evaluate D --data F [--json]     # {"task", "examples", "exact_match", "f1"}
    bert-keras predict D --question Q --context C [--top-k K] [--json]
    bert-keras predict D - [--json]             # JSON input on stdin (or --input FILE)

Input of `-` / `--input`: one JSON object `{"question": ..., "context": ...}`
a line, or one JSON object `{"question": [...], "context": [...]}`. One
output record per question, in order; a line (or list item) that cannot be
answered gets an error record in its place (`{"line": N, "error": ...}`,
`{"index": I, "error": ...}` for list items) and the exit status is 1.
Outputs have the shape of Hugging Face's question-answering pipeline:
`{"answer", "score", "start", "end"}` (character offsets into the context
as given); with `--top-k` K > 1, a list of up to K of them, best first.
Text output: `answer<TAB>score<TAB>start<TAB>end` (K answers: their fields
one after the other on the record's line).
"""

import json
import sys

from bert_keras.errors import InputError

QA_FLAGS = ("doc_stride", "max_query_length", "max_answer_length")


def add_finetune_arguments(p):
    """The QA flags of `finetune` (they set the task's settings)."""
    g = p.add_argument_group("question answering (--task squad, cmrc2018)")
    g.add_argument("--doc-stride", type=int,
                   help="context tokens shared by consecutive windows (default 128)")
    g.add_argument("--max-query-length", type=int,
                   help="question tokens kept (default 64)")
    g.add_argument("--max-answer-length", type=int,
                   help="longest answer, in tokens (default 30)")


def add_predict_arguments(p):
    g = p.add_argument_group("question answering models")
    g.add_argument("--question", help="the question (with --context)")
    g.add_argument("--context", help="the text to find the answer in")
    g.add_argument("--top-k", type=int, default=1, help="answers per question (default 1)")


def task_with_flags(task, args):
    """`task` with the QA flags applied; the flags are refused for other
    kinds of task."""
    given = {k: getattr(args, k, None) for k in QA_FLAGS}
    given = {k: v for k, v in given.items() if v is not None}
    if task.type != "qa":
        if given:
            flags = ", ".join("--" + k.replace("_", "-") for k in given)
            raise InputError(f"{flags}: only for question answering tasks (squad, cmrc2018), "
                             f"not {task.name!r}")
        return task
    if args.max_seq_length is not None:
        given["sequence_length"] = args.max_seq_length
    return task.with_settings(**given)


def evaluate_qa(args):
    """`evaluate` of a QA model directory on a SQuAD-format file."""
    from bert_keras.data.tasks import get_task
    from bert_keras.tasks.question_answering import load_question_answerer

    qa = load_question_answerer(args.model)
    task = qa.task
    if args.task and get_task(args.task).name != task.name:
        raise InputError(f"this model was fine-tuned for task {task.name!r}, not "
                         f"{get_task(args.task).name!r} (leave out --task to use its own)")
    if args.text_column:
        raise InputError("a question answering model reads SQuAD-format JSON: leave out "
                         "--text-column")
    if args.max_seq_length is not None:
        from bert_keras.tasks.question_answering import question_answerer_parts

        limit = question_answerer_parts(qa.model)[0].config.max_position_embeddings
        if args.max_seq_length > limit:
            raise InputError(f"--max-seq-length {args.max_seq_length} exceeds the model's "
                             f"max_position_embeddings ({limit})")
        qa.task = task = task.with_settings(sequence_length=args.max_seq_length)
    data = task.read(args.data)
    unanswered = [e for e in data.examples if not e.answers]
    if not data.examples:
        raise InputError(f"{args.data}: no questions to evaluate")
    if unanswered:
        raise InputError(f"{args.data}: question {unanswered[0].id!r} (and "
                         f"{len(unanswered) - 1} more) has no gold answers to evaluate against")
    metrics = qa.evaluate(data.examples, batch_size=args.batch_size)
    result = {"task": task.name, "examples": len(data.examples),
              **{k: round(metrics[k] / 100.0, 6) for k in ("exact_match", "f1")}}
    if args.json:
        from bert_keras.cli.json_output import print_json

        print_json(result)
    else:
        print(f"{task.name} on {args.data} ({len(data.examples)} questions)")
        for k in ("exact_match", "f1"):
            print(f"  {k}: {metrics[k]:.2f}")


def predict_qa(args):
    """`predict` with a QA model: `--question/--context`, or JSON input."""
    from bert_keras.cli.json_output import print_json
    from bert_keras.tasks.question_answering import load_question_answerer

    if args.top_k < 1:
        raise InputError(f"--top-k must be at least 1, got {args.top_k}")
    if args.text_b is not None or (args.text not in (None, "-")):
        raise InputError("a question answering model takes --question Q --context C, or "
                         "JSON input on stdin ('-') or --input FILE")
    single = args.question is not None or args.context is not None
    if single:
        if args.question is None or args.context is None:
            missing = "--context" if args.question is not None else "--question"
            raise InputError(f"give {missing} too: a question is answered from a context")
        if args.text is not None or args.input is not None:
            raise InputError("give either --question/--context or JSON input ('-' / --input)")
        records = [{"question": args.question, "context": args.context}]
    else:
        from bert_keras.cli.input_lines import read_input_lines

        if args.text is None and args.input is None:
            raise InputError("give --question Q --context C, '-' (JSON on stdin) or "
                             "--input FILE")
        records = parse_input(read_input_lines(args))

    qa = load_question_answerer(args.model)
    good = [r for r in records if "error" not in r]
    answers = iter(qa.predict([r["question"] for r in good], [r["context"] for r in good],
                              top_k=args.top_k) if good else [])
    outputs = [r if "error" in r else next(answers) for r in records]
    if single:
        outputs = outputs[0]
        print_json(outputs) if args.json else print(_format(outputs))
        return 0
    if args.json:
        print_json(outputs)
    else:
        for r in outputs:
            print(_format(r))
    if len(good) < len(records):
        print(f"{len(records) - len(good)} of {len(records)} inputs could not be answered "
              "(see the error records)", file=sys.stderr)
        return 1
    return 0


def parse_input(lines):
    """Records `{"question", "context"}` or `{"line"/"index": N, "error"}`
    of JSON input lines (bytes, without line ends): one object a line, or
    one object of two lists (over any number of lines)."""
    whole = b"\n".join(lines)
    try:
        obj = json.loads(whole)
    except (json.JSONDecodeError, UnicodeDecodeError):
        obj = None
    if isinstance(obj, dict) and isinstance(obj.get("question"), list):
        questions, contexts = obj["question"], obj.get("context")
        if not isinstance(contexts, list) or len(contexts) != len(questions):
            got = len(contexts) if isinstance(contexts, list) else type(contexts).__name__
            raise InputError(f"{{\"question\": [...], \"context\": [...]}}: "
                             f"{len(questions)} questions but context is {got}; give one "
                             "context a question")
        return [_record({"question": q, "context": c}, "index", i)
                for i, (q, c) in enumerate(zip(questions, contexts))]
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            records.append({"line": number, "error": "blank line: nothing to answer"})
            continue
        try:
            value = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            reason = e.msg if isinstance(e, json.JSONDecodeError) else "not UTF-8"
            records.append({"line": number, "error": f"not a JSON object: {reason}"})
            continue
        records.append(_record(value, "line", number))
    return records


def _record(value, where, number):
    if not isinstance(value, dict):
        return {where: number, "error": 'expected {"question": ..., "context": ...}, got '
                                        f"{type(value).__name__}"}
    for key in ("question", "context"):
        if key not in value:
            return {where: number, "error": f'missing "{key}"'}
        if not isinstance(value[key], str):
            return {where: number, "error": f'"{key}" should be a string, got '
                                            f"{type(value[key]).__name__}"}
    if not value["context"].strip():
        return {where: number, "error": 'empty "context": nothing to answer from'}
    return {"question": value["question"], "context": value["context"]}


def _format(r):
    if isinstance(r, dict) and "error" in r:
        where = "line" if "line" in r else "index"
        return f"error\t{where} {r[where]}: {r['error']}"
    answers = r if isinstance(r, list) else [r]
    # One line a record: tabs and line breaks inside an answer become spaces.
    return "\t".join(f"{' '.join(a['answer'].split())}\t{a['score']:.4f}\t{a['start']}\t"
                     f"{a['end']}" for a in answers)
