"""Benchmarks: data sets, strict answer checking, concurrent resumable runs, reports."""
