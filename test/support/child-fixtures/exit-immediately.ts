// A server that fails at start: a reason on stderr, then exit code 3.
process.stderr.write('fatal: MCP_API_KEY is not set\n');
process.stderr.write('shutting down\n');
process.exit(3);
