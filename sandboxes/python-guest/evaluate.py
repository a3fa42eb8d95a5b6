"""Runs one Python benchmark program as passk judges it: the solution, then — with the
builtins put back and the tests' modules checked — the tests, all in one fresh `__main__`
namespace. Shared by the WASM component (`app.py`) and the process sandbox, which runs this
file as `main.py` (the program in `solution.py` and `tests.py`, the entry point's name in
`entry.txt`).

What the program cannot do to the tests (ARCHITECTURE.md, "Completion marker"): rebind what
this runner calls (bound as defaults when it was loaded), jump over the tests' lines with a
trace function (`sys.settrace`/`setprofile` refuse), shadow a builtin the tests use (a
sample that does fails), patch a function or class of a standard module the tests name
(snapshotted before the solution runs: a changed one fails the sample), or return objects
whose class it wrote from the entry point (they could forge any `==`)."""

import builtins
import sys

_MAX_DETAIL = 2000
_PROGRAM = "<program>"
_PLAIN = (int, float, complex, str, bytes, bool, type(None))
_BUILTINS = dict(vars(builtins))


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
    import traceback

    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return text[-_MAX_DETAIL:]


def _names(code, out):
    """Every global name `code` (and the functions it defines) refers to."""
    out.update(code.co_names)
    for c in code.co_consts:
        if hasattr(c, "co_names"):
            _names(c, out)
    return out


def _snapshot(names):
    """The functions and classes (with their attributes) of the standard modules among
    `names`, imported now, before the solution runs."""
    import importlib

    out = {}
    for n in names:
        if n not in sys.stdlib_module_names or n in ("sys", "builtins", "__main__"):
            continue
        try:
            m = importlib.import_module(n)
        except BaseException:  # noqa: BLE001 - a module missing here is the tests' problem
            continue
        attrs = {k: v for k, v in vars(m).items() if callable(v)}
        classes = [(v, dict(vars(v))) for v in attrs.values() if isinstance(v, type)]
        out[n] = (m, attrs, classes)
    return out


def _tampered(namespace, names, modules, entry):
    """What the program changed that the tests rely on, or None. The entry point may carry
    a builtin's name (MBPP 126 tests a function called `sum`)."""
    for n in names:
        if n.startswith("__") or n == entry:
            continue
        if n in _BUILTINS and n in namespace and namespace[n] is not _BUILTINS[n]:
            return f"defines `{n}`, which shadows the builtin the tests use"
    for n, (m, attrs, classes) in modules.items():
        now = vars(m)
        for k, v in attrs.items():
            if now.get(k) is not v:
                return f"replaced `{n}.{k}`, which the tests may use"
        for cls, saved in classes:
            now_cls = vars(cls)
            for k, v in saved.items():
                if now_cls.get(k) is not v:
                    return f"replaced `{n}.{cls.__name__}.{k}`, which the tests may use"
    return None


def _no_trace(*_args, **_kwargs):
    raise RuntimeError("passk: tracing and profiling hooks are not available to programs")


def evaluate(
    solution,
    tests,
    entry,
    fallback=False,
    _exec=exec,
    _compile=compile,
    _callable=callable,
    _repr=repr,
    _guard=_guard,
    _detail=_detail,
    _names=_names,
    _snapshot=_snapshot,
    _tampered=_tampered,
    _builtins=builtins,
    _saved=_BUILTINS,
    _sys=sys,
    _no_trace=_no_trace,
    _SystemExit=SystemExit,
    _AssertionError=AssertionError,
    _ModuleNotFoundError=ModuleNotFoundError,
    _BaseException=BaseException,
):
    """How the program ended: (ending, detail), ending one of `completed`,
    `assertion-failed`, `raised`, `exited`, `syntax-error`, `needs-fallback` (a stdlib
    module the WASM snapshot lacks; only with `fallback`)."""
    stdlib = _sys.stdlib_module_names
    try:
        # The tests run apart only so that the guard is in place before they start.
        first = _compile(solution, _PROGRAM, "exec")
        second = _compile(tests, _PROGRAM, "exec") if tests else None
    except (SyntaxError, ValueError):
        # The whole program decides whether the syntax is valid (a solution may only make
        # sense together with what follows it); then it runs unguarded.
        try:
            first, second = _compile(solution + tests, _PROGRAM, "exec"), None
        except (SyntaxError, ValueError) as exc:
            return "syntax-error", _detail(exc)
    names = _names(second, set()) if second is not None else set()
    modules = _snapshot(names)
    # A trace function could jump over the tests' lines (`frame.f_lineno`).
    for hook in ("settrace", "setprofile"):
        setattr(_sys, hook, _no_trace)
    namespace = {"__name__": "__main__", "__builtins__": _builtins}
    ending, detail = "completed", ""
    try:
        _exec(first, namespace)
        if second is not None:
            fn = namespace.get(entry) if entry else None
            if _callable(fn):
                namespace[entry] = _guard(fn)
            live = vars(_builtins)
            live.clear()
            live.update(_saved)
            why = _tampered(namespace, names, modules, entry)
            if why is not None:
                return "raised", "passk: the program " + why
            _exec(second, namespace)
    except _SystemExit as exc:
        ending, detail = "exited", _repr(exc.code)[:_MAX_DETAIL]
    except _AssertionError as exc:
        ending, detail = "assertion-failed", _detail(exc)
    except _ModuleNotFoundError as exc:
        root = (exc.name or "").split(".")[0]
        if fallback and root in stdlib:
            ending, detail = "needs-fallback", root
        else:
            ending, detail = "raised", _detail(exc)
    except _BaseException as exc:  # noqa: BLE001 - every escape is a verdict
        ending, detail = "raised", _detail(exc)
    finally:
        try:
            _sys.stdout.flush()
            _sys.stderr.flush()
        except _BaseException:  # noqa: BLE001 - a program's stream objects are its own
            pass
    return ending, detail


def _main():
    """The process sandbox's run: exit status and stderr as CPython's own would be, and the
    completion marker (descriptor 3) printed only when the tests completed."""
    import os

    with open("entry.txt", encoding="utf-8") as f:
        entry = f.read()
    with open("solution.py", encoding="utf-8") as f:
        solution = f.read()
    with open("tests.py", encoding="utf-8") as f:
        tests = f.read()
    out, err = sys.__stdout__, sys.__stderr__
    ending, detail = evaluate(solution, tests, entry)
    if ending == "completed":
        out.write("\n" + os.read(3, 64).decode().strip() + "\n")
        out.flush()
        os._exit(0)
    if ending == "exited":
        code = detail.strip()
        os._exit(0 if code in ("0", "None") else int(code) if code.lstrip("-").isdigit() else 1)
    err.write(detail + "\n")
    err.flush()
    os._exit(1)


if __name__ == "__main__":
    _main()
