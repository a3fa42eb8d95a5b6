
# passk: LiveCodeBench functional tests (trusted; everything below is the tests).
def _passk_lcb(name, has_class, tests, limit):
    import time

    # Results are compared only when they are plain data of exactly the built-in types: a
    # class the program wrote could make any `==` true.
    plain_types = (int, float, str, bool, type(None), list, tuple, dict)

    def plain(v, depth=0):
        t = type(v)
        if depth > 200 or t not in plain_types:
            return False
        if t is list or t is tuple:
            return all(plain(i, depth + 1) for i in v)
        if t is dict:
            return all(plain(k, depth + 1) and plain(x, depth + 1) for k, x in v.items())
        return True

    def short(v):
        s = repr(v)
        return s if len(s) <= 300 else s[:150] + "...(truncated)..." + s[-150:]

    # As LiveCodeBench: a program with `class Solution` is called through one instance of
    # it for every test; otherwise the function of that name is called.
    if has_class:
        target = globals().get("Solution")
        if target is None:
            raise NameError("the program defines no class `Solution`")
        method = getattr(target(), name, None)
    else:
        method = globals().get(name)
    if method is None:
        raise NameError("the program defines no %s `%s`" % ("method" if has_class else "function", name))
    # The arguments and expected values were decoded on the host (as `json.loads` per input
    # line and per output) and compiled before the program ran.
    for i, (args, expected) in enumerate(tests):
        start = time.perf_counter()
        try:
            got = method(*args)
        except Exception as exc:
            raise RuntimeError("test %d: %s: %s" % (i, type(exc).__name__, exc)) from None
        took = time.perf_counter() - start
        if took > limit:
            raise AssertionError("passk-timeout: test %d took %.2f s, over LiveCodeBench's limit of %g s" % (i, took, limit))
        if not plain(got):
            raise AssertionError("test %d: the result is a %s, not plain data (lists, dicts, numbers, strings)" % (i, type(got).__name__))
        # LiveCodeBench's expected sequences are lists; a tuple answer is not penalised.
        if type(got) is tuple:
            got = list(got)
        if not (got == expected):
            raise AssertionError("test %d: expected %s, got %s" % (i, short(expected), short(got)))
