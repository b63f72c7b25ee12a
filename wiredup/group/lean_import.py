"""Import a package's submodules without its ``__init__`` until something else of it is asked for.

datasketch's ``__init__`` imports every sketch it has, MinHashLSH among them and through it
scipy.integrate: about a second of CPU that the crawl's process and each extraction worker paid
at every start (bench/README.md, issue 19), for MinHash and LeanMinHash, which need numpy only.
``lean_package("datasketch")`` puts the package in ``sys.modules`` without running its
``__init__``, so ``from datasketch.minhash import MinHash`` loads that one submodule; the first
name asked of the package itself (``from datasketch import MinHashLSH``) runs the real
``__init__`` then (a module ``__getattr__``, PEP 562), so every other use works as before.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from types import ModuleType

_lock = threading.RLock()


def lean_package(name: str) -> ModuleType:
    """The package ``name``, in ``sys.modules``, its ``__init__`` not run until a name of it is asked for.

    >>> package = lean_package("json")  # already imported: left as it is
    >>> package is sys.modules["json"]
    True
    """
    with _lock:
        if name in sys.modules:
            return sys.modules[name]
        spec = importlib.util.find_spec(name)
        package = importlib.util.module_from_spec(spec)  # __path__, __file__, __spec__ set; nothing run

        def __getattr__(attribute: str):
            with _lock:
                if package.__dict__.get("__getattr__") is __getattr__:
                    del package.__getattr__  # once: the real __init__ defines what it defines
                    spec.loader.exec_module(package)
            try:
                return package.__dict__[attribute]
            except KeyError:
                raise AttributeError(f"module {name!r} has no attribute {attribute!r}") from None

        package.__getattr__ = __getattr__
        sys.modules[name] = package
        return package
