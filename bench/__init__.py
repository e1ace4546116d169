"""Load runs and benchmarks against real gunicorn servers on loopback (`make bench`)."""
