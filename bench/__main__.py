"""``make bench``: run every benchmark and print its table."""

from __future__ import annotations

from bench import bench_engine


def main() -> None:
    bench_engine.main()


if __name__ == "__main__":
    main()
