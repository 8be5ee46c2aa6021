"""Stored evaluations name files as uploaded ("chamber.csv"), as the engine now writes them.

Engines before issue 11 wrote each file into sentences, flags and sample records as
``dataset:<id>``; the engine now writes the name it was uploaded under, a repeated name numbered
"#2", "#3" in upload order (``certification.evidence.file_refs``). This rewrites every stored
``Evaluation.result`` the same way, from the evaluation's own ``inputs`` (in the order the engine
read them), so a regulator's re-run of an old evaluation compares equal and old pages read like
new ones. A frozen copy of the naming rule (a migration never imports the live code); an id not
among the evaluation's inputs is left as it was; running it again changes nothing. Reversing it
is a no-op.
"""

import re

from django.db import migrations

REF = re.compile(r"dataset:(\d+)")


def _names(inputs):
    refs, seen = {}, {}
    for item in inputs or []:
        name = item.get("name") or ""
        seen[name] = seen.get(name, 0) + 1
        refs[str(item.get("dataset"))] = name if seen[name] == 1 else f"{name} #{seen[name]}"
    return refs


def _rewrite(value, refs):
    if isinstance(value, str):
        return REF.sub(lambda m: refs.get(m.group(1), m.group(0)), value)
    if isinstance(value, list):
        return [_rewrite(item, refs) for item in value]
    if isinstance(value, dict):
        return {key: _rewrite(item, refs) for key, item in value.items()}
    return value


def forwards(apps, schema_editor):
    Evaluation = apps.get_model("certification", "Evaluation")
    rows = Evaluation.objects.exclude(result={}).exclude(result__isnull=True)
    for evaluation in rows.only("pk", "result", "inputs").iterator(chunk_size=500):
        refs = _names(evaluation.inputs)
        if not refs:
            continue
        result = _rewrite(evaluation.result, refs)
        if result != evaluation.result:
            Evaluation.objects.filter(pk=evaluation.pk).update(result=result)


class Migration(migrations.Migration):
    dependencies = [("certification", "0009_merge_audit_chain_ruleset_proposals")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
