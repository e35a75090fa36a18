"""Prints, after the run, passed / failed / skipped per HyperDbg case file,
with the reason of each skip (see test_hyperdbg_cases.py)."""
import collections


def pytest_terminal_summary(terminalreporter):
    counts = collections.OrderedDict()
    reasons = []
    for outcome in ("passed", "failed", "skipped"):
        for rep in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(rep, "nodeid", "")
            if "test_hyperdbg_case[" not in nodeid or rep.when not in (
                    "call", "setup"):
                continue
            case = nodeid.split("[", 1)[1].rstrip("]")
            fname = case.split("::")[0]
            counts.setdefault(fname, collections.Counter())[outcome] += 1
            if outcome == "skipped":
                reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) \
                    else str(rep.longrepr)
                reasons.append("  skipped %s: %s" % (
                    case, reason.replace("Skipped: ", "")))
    if not counts:
        return
    tr = terminalreporter
    tr.write_sep("-", "HyperDbg script test cases (../shared/hyperdbg-script-tests)")
    for fname in sorted(counts):
        c = counts[fname]
        tr.write_line("%-50s %4d passed %3d failed %3d skipped" % (
            fname, c["passed"], c["failed"], c["skipped"]))
    for line in reasons:
        tr.write_line(line)
