"""Where a run's problems execute: in this process (`local`), in worker processes on this
machine (`processes`), or on a Ray cluster (`ray`). The run's single writer, its fault
rules and its resume stay in the driver (`council.bench.runner`) whichever is used."""
