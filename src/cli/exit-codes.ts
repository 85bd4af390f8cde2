/**
 * The CLI's exit codes, stable for scripts: a deploy step can tell "fix the
 * environment" (3) from "a dependency is down" (1) from "wrong invocation" (2).
 */
export const EXIT_OK = 0;
/** A check failed, a dependency did not answer, or the command could not do its work. */
export const EXIT_FAILURE = 1;
/** Unknown command or option, a missing argument, or options that contradict each other. */
export const EXIT_USAGE = 2;
/** The configuration (environment and .env) is invalid; every problem is printed. */
export const EXIT_CONFIG_INVALID = 3;
