/** The heading of the device flow's code-entry page for each notice it shows. */
export function deviceCodeTitle(notice: string): string {
  switch (notice) {
    case 'check':
      return 'Check the code';
    case 'cancelled':
      return 'Sign-in cancelled';
    case 'failed':
      return 'Sign-in could not continue';
    case 'enter':
      return 'Connect a device';
    default:
      return 'Check the code and try again';
  }
}
