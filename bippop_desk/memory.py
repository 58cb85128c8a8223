"""How much memory this process has used at its peak (for the benchmarks)."""

from __future__ import annotations


def peak_rss_mb() -> float:
    """Peak resident memory since this process started, in MB.

    Reads VmHWM (Linux), which exec resets; ru_maxrss, the fallback elsewhere, also
    keeps the memory of the process that spawned this one."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
