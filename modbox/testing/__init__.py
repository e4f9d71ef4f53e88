"""Stand-ins for tests, benchmarks and screenshots. The app never imports this package."""
