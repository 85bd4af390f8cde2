/**
 * Where the servers file's problems go: each names the field path inside the
 * file (`servers[1].url`); the caller adds the variable and the file name.
 */
export interface FileReport {
  /** `at` is a field path such as `servers[1].run.cwd`, or '' for the file as a whole. */
  problem(at: string, message: string): void;
  warn(at: string, message: string): void;
}

/** A report that also remembers whether anything went wrong through it (one entry, say). */
export interface TrackedReport extends FileReport {
  readonly failed: boolean;
}

export function trackProblems(report: FileReport): TrackedReport {
  let failed = false;
  return {
    problem(at, message) {
      failed = true;
      report.problem(at, message);
    },
    warn: (at, message) => report.warn(at, message),
    get failed() {
      return failed;
    },
  };
}

/** `servers[1]` + `url` = `servers[1].url`. */
export const fieldPath = (parent: string, key: string): string => (parent === '' ? key : `${parent}.${key}`);
