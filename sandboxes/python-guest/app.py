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


def _detail(exc: BaseException) -> str:
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return text[-_MAX_DETAIL:]


class WitWorld(wit_world.WitWorld):
    def run(self, program: str) -> wit_world.Report:
        E = wit_world.Ending
        try:
            code = compile(program, "<program>", "exec")
        except (SyntaxError, ValueError) as exc:
            return wit_world.Report(E.SYNTAX_ERROR, _detail(exc))
        namespace = {"__name__": "__main__", "__builtins__": builtins}
        try:
            exec(code, namespace)
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
