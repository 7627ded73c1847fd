"""JSON Schema files for editors, written into each records repository.

yaml-language-server validates up to draft-07, so the pydantic output is adjusted:
`$defs` becomes `definitions` and a `$schema` key names the draft.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from rjc.model import MODELS, Settings
from rjc.storage import layout

DRAFT_07 = "http://json-schema.org/draft-07/schema#"


def json_schema(model: type[BaseModel]) -> dict:
    schema = model.model_json_schema(ref_template="#/definitions/{model}")
    definitions = schema.pop("$defs", None)
    result = {"$schema": DRAFT_07, **schema}
    if definitions:
        result["definitions"] = definitions
    return result


def schema_files() -> dict[str, str]:
    """Relative path -> file text, for every record kind and the settings file."""
    files: dict[str, type[BaseModel]] = {kind.schema_file: MODELS[name] for name, kind in layout.KINDS.items()}
    files[f"{layout.SCHEMA_DIR}/settings.schema.json"] = Settings
    return {path: json.dumps(json_schema(model), indent=2, ensure_ascii=False) + "\n"
            for path, model in files.items()}


def write_schemas(root: Path) -> list[str]:
    """Write the schema files; returns the paths whose content changed."""
    changed = []
    for relpath, text in schema_files().items():
        target = root / relpath
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            changed.append(relpath)
    return changed
