"""Re-exported from `benchmarks.loopback`, where the benchmark scripts (which must not
import `tests`) find them too."""

from benchmarks.loopback import free_port, stub_process, stub_thread, wait_for_http

__all__ = ["free_port", "stub_process", "stub_thread", "wait_for_http"]
