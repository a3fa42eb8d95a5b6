
# passk: functional tests, a call per test (trusted; everything below is the tests).
def _passk_call(name, has_class, tests, limit, harness, apps):
    import time

    # Results are compared only when they are plain data of exactly the built-in types: a
    # class the program wrote could make any `==` true. APPS's expected values may be sets.
    plain_types = (int, float, str, bool, type(None), list, tuple, dict)
    if apps:
        plain_types += (set, frozenset)

    def plain(v, depth=0):
        t = type(v)
        if depth > 200 or t not in plain_types:
            return False
        if t in (list, tuple, set, frozenset):
            return all(plain(i, depth + 1) for i in v)
        if t is dict:
            return all(plain(k, depth + 1) and plain(x, depth + 1) for k, x in v.items())
        return True

    def short(v):
        s = repr(v)
        return s if len(s) <= 300 else s[:150] + "...(truncated)..." + s[-150:]

    def int_keys(d):
        return {int(k): v for k, v in d.items()}

    # As both harnesses: the answer's text decides between one `Solution()` for every test
    # and the module's function.
    if has_class:
        target = globals().get("Solution")
        if target is None:
            raise NameError("the program defines no class `Solution`")
        method = getattr(target(), name, None)
    else:
        method = globals().get(name)
    if method is None:
        raise NameError("the program defines no %s `%s`" % ("method" if has_class else "function", name))
    # The arguments and expected values were decoded on the host (as `json.loads` gives
    # them) and compiled before the program ran.
    for i, (args, expected) in enumerate(tests):
        if apps:
            # APPS undoes JSON's string keys of a dict argument or result (given alone in
            # a list), where they read as integers.
            try:
                if isinstance(args[0], dict):
                    args = [int_keys(args[0])]
            except Exception:
                pass
            try:
                if isinstance(expected, dict):
                    expected = [int_keys(expected)]
            except Exception:
                pass
            try:
                if isinstance(expected[0], dict):
                    expected = [int_keys(expected[0])]
            except Exception:
                pass
        start = time.perf_counter()
        try:
            got = method(*args)
        except Exception as exc:
            raise RuntimeError("test %d: %s: %s" % (i, type(exc).__name__, exc)) from None
        took = time.perf_counter() - start
        if took > limit:
            raise AssertionError("passk-timeout: test %d took %.2f s, over %s's limit of %g s" % (i, took, harness, limit))
        if not plain(got):
            raise AssertionError("test %d: the result is a %s, not plain data (lists, dicts, numbers, strings)" % (i, type(got).__name__))
        # Expected sequences are lists: a tuple answer is not penalised.
        if type(got) is tuple:
            got = list(got)
        ok = got == expected
        if apps:
            # APPS: the expected value may be wrapped in a list; a list of tuples is a
            # list of lists.
            if isinstance(expected, list) and expected:
                ok = ok or got == expected[0]
            try:
                if isinstance(got[0], tuple):
                    ok = ok or [list(x) for x in got] == expected[0]
            except Exception:
                pass
        if not ok:
            raise AssertionError("test %d: expected %s, got %s" % (i, short(expected), short(got)))
