"""UMAP's compiled code kept on disk, so that each new process does not compile it again.

UMAP and pynndescent are written in Numba, which compiles most of their functions on first use
and, unless a function asks for it, keeps the machine code only in memory. Every `findings run`,
scheduled refresh and theme test process then spends 10-30 s compiling the same code before it
fits anything: on the 24-document sample, more than the fit itself. Numba can cache any
dispatcher's code on disk (`enable_caching`, keyed by the source file and the argument types,
recompiled when either changes); this turns it on for the libraries' functions that do not ask.
The code is the same, so the themes are too.

Where it goes: the libraries' `__pycache__` folders, or Numba's user cache folder when those
are read-only (NUMBA_CACHE_DIR overrides both).
"""

from __future__ import annotations

import sys
from functools import cache

_LIBRARIES = frozenset({"umap", "pynndescent"})


@cache
def keep_compiled_code() -> int:
    """Cache the compiled code of every UMAP and pynndescent function imported; how many.

    Call it after importing UMAP and before fitting; later calls do nothing.
    """
    from numba.core.caching import NullCache
    from numba.core.registry import CPUDispatcher

    enabled = 0
    for name, module in list(sys.modules.items()):
        if name.partition(".")[0] not in _LIBRARIES or module is None:
            continue
        for value in list(vars(module).values()):
            # A dispatcher that asked for caching already holds a FunctionCache.
            if isinstance(value, CPUDispatcher) and isinstance(value._cache, NullCache):
                value.enable_caching()
                enabled += 1
    return enabled
