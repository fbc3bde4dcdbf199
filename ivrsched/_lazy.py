"""Public names of a package, imported on first use (PEP 562).

A package's ``__init__`` lists its public names and the module each comes from; the module is
imported only when the name is first asked for, so ``import ivrsched`` (and ``ivrsched --help``)
import only what they use, and a subpackage's names never form an import cycle with its modules.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any


def lazy_names(package: str, names: Mapping[str, str], namespace: dict[str, Any]
               ) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package`` whose public ``names`` map to the module that
    defines each (a name equal to its module's last part is that module itself). ``namespace``
    is the package's ``globals()``: a name found is kept there, so it is looked up once."""

    def __getattr__(name: str) -> object:
        module_name = names.get(name)
        if module_name is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module: ModuleType = importlib.import_module(module_name)
        if hasattr(module, name):
            value: object = getattr(module, name)
        else:  # a module exported by name (``ivrsched.outcomes``)
            value = module
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(names))

    return __getattr__, __dir__


__all__ = ["lazy_names"]
