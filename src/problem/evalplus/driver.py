
# passk: EvalPlus differential testing (trusted; everything below is the tests).
def _passk_evalplus(candidate, name, mode, dataset, task, atol, n_base, inputs_json, expected, limits):
    import json, math, sys, time, copy

    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(0)

    def tuples_deep(x):
        return tuple(tuples_deep(i) for i in x) if isinstance(x, list) else x

    # MBPP+ stores some arguments as JSON lists (or strings) that its tasks take as tuples,
    # sets or complex numbers; EvalPlus restores them by task number before any call.
    def restore(inp):
        if dataset != "mbpp":
            return inp
        if task in (2, 116, 132, 143, 222, 261, 273, 394, 399, 421, 424, 429, 470, 560,
                    579, 596, 616, 630, 726, 740, 744, 809):
            return [tuple(a) for a in inp]
        if task in (63, 64, 70, 94, 120, 237, 272, 299, 400, 409, 417, 438, 473, 614, 780):
            return [[tuple(x) for x in a] for a in inp]
        if task in (75, 413, 444, 753):
            return [[tuple(x) for x in inp[0]]] + [inp[1]]
        if task in (106, 750):
            return [inp[0]] + [tuple(inp[1])]
        if task == 115:
            return [[set(x) if isinstance(x, list) and len(x) else {} for x in inp[0]]]
        if task == 124:
            return (float(inp[0]), complex(inp[1]))
        if task in (250, 405, 446, 617, 720, 763, 808):
            return [tuple(inp[0])] + [inp[1]]
        if task in (259, 401, 445):
            return [tuple(tuple(x) for x in a) for a in inp]
        if task == 278:
            return [tuple(tuple(x) if isinstance(x, list) else x for x in inp[0])]
        if task == 307:
            return [tuple(inp[0])] + [inp[1], inp[2]]
        if task == 722:
            return [{k: tuple(v) for k, v in inp[0].items()}] + inp[1:]
        if task == 252:
            return [complex(inp[0])]
        if task in (580, 615, 791):
            return tuples_deep(inp)
        return inp

    def number(x):
        if math.isfinite(x):
            return repr(x)
        return "float(%r)" % repr(x)

    # A value as Python source on one line, exact in type (list, tuple, set, dict, bool,
    # int, float, complex, str, bytes, None): the expected output the samples' run embeds.
    def source(v):
        t = type(v)
        if v is None or t in (bool, int, str, bytes):
            return repr(v)
        if t is float:
            return number(v)
        if t is complex:
            return "complex(%s, %s)" % (number(v.real), number(v.imag))
        if t is list:
            return "[" + ", ".join(source(i) for i in v) + "]"
        if t is tuple:
            return "(" + "".join(source(i) + ", " for i in v) + ")"
        if t is set:
            return "{" + ", ".join(source(i) for i in v) + "}" if v else "set()"
        if t is frozenset:
            return "frozenset([" + ", ".join(source(i) for i in v) + "])"
        if t is dict:
            return "{" + ", ".join(source(k) + ": " + source(x) for k, x in v.items()) + "}"
        raise TypeError("the reference returned a %s, which passk cannot keep as an expected value" % t.__name__)

    def is_floats(x):
        if isinstance(x, float):
            return True
        if isinstance(x, (list, tuple)) and x:
            return all(isinstance(i, float) for i in x)
        return False

    # numpy.allclose(out, exp, rtol=1e-07, atol=atol), element by element.
    def close(out, exp, tol):
        if isinstance(exp, (list, tuple)) or isinstance(out, (list, tuple)):
            if not (isinstance(exp, (list, tuple)) and isinstance(out, (list, tuple))):
                return False
            return len(out) == len(exp) and all(close(a, b, tol) for a, b in zip(out, exp))
        if not all(isinstance(x, (int, float)) for x in (out, exp)):
            return False
        if math.isinf(exp) or math.isinf(out):
            return out == exp
        return abs(out - exp) <= tol + 1e-07 * abs(exp)

    def poly(xs, x):
        return sum([c * math.pow(x, i) for i, c in enumerate(xs)])

    def surface_area(base_edge, height):
        slant = math.sqrt((base_edge / 2) ** 2 + height**2)
        return round(base_edge**2 + 4 * (base_edge * slant) / 2)

    def digit_distance(a, b):
        a, b = str(a), str(b)
        n = max(len(a), len(b))
        return sum(abs(int(x) - int(y)) for x, y in zip(a.zfill(n), b.zfill(n)))

    def short(v):
        r = repr(v)
        return r if len(r) <= 200 else r[:200] + "..."

    groups = json.loads(inputs_json)
    inputs = [restore(i) for i in groups[0] + groups[1]]
    not_none = dataset == "mbpp" and name in ("check_str", "text_match_three", "text_starta_endb")

    if mode == "oracle":
        for i, inp in enumerate(inputs):
            inp = copy.deepcopy(inp)
            start = time.time()
            out = candidate(*inp)
            took = time.time() - start
            if not_none:
                out = out is not None
            sys.stdout.write("\x1fpassk-evalplus %d %r %s\n" % (i, took, source(out)))
        return

    set_eq = ("similar_elements", "find_char_long", "common_in_nested_lists", "extract_singly",
              "larg_nnum", "intersection_array", "find_dissimilar", "Diff")
    for i, inp in enumerate(inputs):
        where = "base input %d" % i if i < n_base else "plus input %d" % (i - n_base)
        start = time.time()
        out = candidate(*inp)
        took = time.time() - start
        if took > limits[i]:
            raise AssertionError("passk-timeout: %s took %.2f s, over its limit of %.2f s" % (where, took, limits[i]))
        exp = expected[i]
        ok = out == exp
        if dataset == "mbpp":
            if name == "are_equivalent":
                ok = True
            elif name == "sum_div":
                ok = ok or out == 0
            elif name == "surface_Area":
                ok = ok or abs(out - surface_area(*inp)) <= atol
            elif name == "digit_distance_nums":
                ok = ok or out == digit_distance(*inp)
            elif name in set_eq:
                ok = set(out) == set(exp)
            elif not_none:
                ok = out == exp if isinstance(out, bool) else exp == (out is not None)
        if dataset == "humaneval" and name == "find_zero":
            if not abs(poly(*inp, out)) <= atol:
                raise AssertionError("%s: find_zero returned %s, not a zero of %s" % (where, short(out), short(inp[0])))
            continue
        if atol == 0 and is_floats(exp):
            atol = 1e-6
        if not ok and atol != 0:
            ok = type(out) == type(exp) and close(out, exp, atol)
        if not ok:
            raise AssertionError("%s %s: expected %s, got %s" % (where, short(inp), short(exp), short(out)))
