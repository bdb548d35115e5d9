"""Build every loaded pydantic model's validator and serializer now, instead of on first use.

The models are declared with ``defer_build=True`` so that a process pays only for the models it
uses (the command line validates a consult and the criteria, and builds little else). The window
is the opposite case: it uses nearly all of them, and the first use would come on the UI thread,
in the middle of showing the first consult. Its core-loading worker calls :func:`build_models`
after the imports and the criteria load, so the UI thread never builds one.
"""

from __future__ import annotations

from pydantic import BaseModel


def _subclasses(cls: type[BaseModel]) -> list[type[BaseModel]]:
    out: list[type[BaseModel]] = []
    todo = list(cls.__subclasses__())
    while todo:
        c = todo.pop()
        out.append(c)
        todo.extend(c.__subclasses__())
    return out


def build_models(package: str = "ixdesk") -> int:
    """Build every model of ``package`` imported so far that is not built yet; return how many."""
    todo = [m for m in _subclasses(BaseModel)
            if m.__module__.split(".")[0] == package and not m.__pydantic_complete__
            and m.__pydantic_generic_metadata__.get("origin") is None]  # a parametrised generic builds when made
    for model in todo:
        model.model_rebuild()
    return len(todo)
