"""passk's Python guest: pre-imports the standard library that benchmarks use, so that
componentize-py's snapshot holds them already initialized, then runs one program per call."""

# Imported at build time so that the snapshot carries them; programs then import them for free.
import abc, array, ast, bisect, builtins, calendar, cmath, collections, collections.abc  # noqa
import copy, dataclasses, datetime, decimal, enum, fractions, functools, hashlib, heapq  # noqa
import io, itertools, json, keyword, math, numbers, operator, random, re, statistics  # noqa
import string, struct, sys, textwrap, time, traceback, types, typing, unicodedata  # noqa
import base64, binascii, difflib, pprint, contextlib, weakref, warnings, zlib, locale  # noqa
import csv, uuid, shlex, secrets, pickle, fnmatch, queue, urllib.parse, html, gzip  # noqa

import gc
import wit_world

_MAX_DETAIL = 2000

# Everything imported above lives in the snapshot for good: move it out of the cyclic GC's
# sight, so that collections during a program only walk the program's own objects.
gc.collect()
gc.freeze()


_PROGRAM = "<program>"
_PLAIN = (int, float, complex, str, bytes, bool, type(None))


def _from_program(obj) -> bool:
    for f in (obj, getattr(obj, "__func__", None), getattr(obj, "fget", None)):
        code = getattr(f, "__code__", None)
        if code is not None and code.co_filename == _PROGRAM:
            return True
    return False


def _defined_by_program(t: type) -> bool:
    return any(_from_program(v) for k in t.__mro__ for v in vars(k).values())


def _check_result(value, depth=0):
    """Refuses results that are, or contain, objects of classes whose methods the program
    wrote: such an object can make any `==`, `<` or truth test of the tests succeed."""
    if depth > 100 or type(value) in _PLAIN:
        return
    if _defined_by_program(type(value)):
        raise TypeError(
            f"passk: the result is a {type(value).__name__} defined by the program; "
            "results must be plain values"
        )
    if isinstance(value, dict):
        for k, v in value.items():
            _check_result(k, depth + 1)
            _check_result(v, depth + 1)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for v in value:
            _check_result(v, depth + 1)


def _guard(fn):
    def guarded(*args, **kwargs):
        result = fn(*args, **kwargs)
        _check_result(result)
        return result

    guarded.__name__ = getattr(fn, "__name__", "guarded")
    guarded.__doc__ = getattr(fn, "__doc__", None)
    return guarded


def _detail(exc: BaseException) -> str:
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return text[-_MAX_DETAIL:]


class WitWorld(wit_world.WitWorld):
    def run(self, solution: str, tests: str, entry: str) -> wit_world.Report:
        E = wit_world.Ending
        try:
            # The tests run apart only so that the guard is in place before they start.
            first = compile(solution, _PROGRAM, "exec")
            second = compile(tests, _PROGRAM, "exec") if tests else None
        except (SyntaxError, ValueError):
            # The whole program decides whether the syntax is valid (a solution may only
            # make sense together with what follows it); then it runs unguarded.
            try:
                first, second = compile(solution + tests, _PROGRAM, "exec"), None
            except (SyntaxError, ValueError) as exc:
                return wit_world.Report(E.SYNTAX_ERROR, _detail(exc))
        namespace = {"__name__": "__main__", "__builtins__": builtins}
        try:
            exec(first, namespace)
            if second is not None:
                fn = namespace.get(entry) if entry else None
                if callable(fn):
                    namespace[entry] = _guard(fn)
                exec(second, namespace)
        except SystemExit as exc:
            return wit_world.Report(E.EXITED, repr(exc.code)[:_MAX_DETAIL])
        except AssertionError as exc:
            return wit_world.Report(E.ASSERTION_FAILED, _detail(exc))
        except ModuleNotFoundError as exc:
            root = (exc.name or "").split(".")[0]
            if root in sys.stdlib_module_names:
                return wit_world.Report(E.NEEDS_FALLBACK, root)
            return wit_world.Report(E.RAISED, _detail(exc))
        except BaseException as exc:  # noqa: BLE001 - every escape is a verdict
            return wit_world.Report(E.RAISED, _detail(exc))
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        return wit_world.Report(E.COMPLETED, "")
